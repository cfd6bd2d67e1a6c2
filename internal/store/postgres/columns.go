package postgres

import (
	"errors"
	"time"

	"cloud.google.com/go/civil"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/vatgate/vatgate/internal/money"
)

// Conversions between domain values and pgx's column types. Amounts travel
// as pgtype.Numeric, an exact big integer and a power of ten, the same
// representation as money.Decimal, so no amount ever passes through a float.

// numeric is d as a numeric parameter.
func numeric(d money.Decimal) pgtype.Numeric {
	return pgtype.Numeric{Int: d.Coefficient(), Exp: d.Exponent(), Valid: true}
}

// optNumeric is d as a nullable numeric parameter: NULL when d is nil.
func optNumeric(d *money.Decimal) pgtype.Numeric {
	if d == nil {
		return pgtype.Numeric{}
	}
	return numeric(*d)
}

// decimalCol scans a NOT NULL numeric column into a money.Decimal.
type decimalCol struct{ dst *money.Decimal }

func (c decimalCol) ScanNumeric(n pgtype.Numeric) error {
	d, err := fromNumeric(n)
	if err != nil {
		return err
	}
	if d == nil {
		return errors.New("unexpected NULL amount")
	}
	*c.dst = *d
	return nil
}

// optDecimalCol scans a nullable numeric column: NULL leaves nil.
type optDecimalCol struct{ dst **money.Decimal }

func (c optDecimalCol) ScanNumeric(n pgtype.Numeric) error {
	d, err := fromNumeric(n)
	*c.dst = d
	return err
}

// fromNumeric is n as a decimal, nil for NULL. NaN and infinities are
// refused: no vatgate amount can hold them.
func fromNumeric(n pgtype.Numeric) (*money.Decimal, error) {
	switch {
	case !n.Valid:
		return nil, nil
	case n.NaN || n.InfinityModifier != pgtype.Finite:
		return nil, errors.New("amount is not a finite number")
	}
	d := decimal.NewFromBigInt(n.Int, n.Exp)
	return &d, nil
}

// date is d as a date parameter; the zero date (no due date) is NULL.
func date(d civil.Date) pgtype.Date {
	if d.IsZero() {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: d.In(time.UTC), Valid: true}
}

// dateCol scans a date column into a civil date; NULL is the zero date.
type dateCol struct{ dst *civil.Date }

func (c dateCol) ScanDate(v pgtype.Date) error {
	switch {
	case !v.Valid:
		*c.dst = civil.Date{}
	case v.InfinityModifier != pgtype.Finite:
		return errors.New("date is infinite")
	default:
		*c.dst = civil.DateOf(v.Time)
	}
	return nil
}

// timestamp is t as a timestamptz parameter; the zero time is NULL.
func timestamp(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{}
	}
	return pgtype.Timestamptz{Time: t, Valid: true}
}

// timeCol scans a timestamptz column into a UTC time (pgx would hand back
// local time); NULL is the zero time.
type timeCol struct{ dst *time.Time }

func (c timeCol) ScanTimestamptz(v pgtype.Timestamptz) error {
	switch {
	case !v.Valid:
		*c.dst = time.Time{}
	case v.InfinityModifier != pgtype.Finite:
		return errors.New("timestamp is infinite")
	default:
		*c.dst = v.Time.UTC()
	}
	return nil
}

// nullID is a reference as a parameter: 0 (no record) is NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
