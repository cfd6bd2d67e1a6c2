// Package sandbox is a simulated Peppol network, the default transport: it
// lets developers and integrators drive an e-document through every status
// and through error recovery offline, with no access point contract.
//
// Receivers behave by the last two characters of the receiver's participant
// identifier (the part after the scheme, "0192:9876543" -> "43"):
//
//	ends in   Send answers                                then Receipt answers
//	--------  ------------------------------------------  ------------------------------------------------
//	00-89     sent                                        delivered, DeliveryDelay after the send
//	90-94     sent                                        delivered, 10 x DeliveryDelay after (slow receiver)
//	95        sent                                        sent for ever: the receiver never answers
//	96        1st attempt: blocks until the context's     delivered, DeliveryDelay after the accepting send
//	          deadline or Timeout, then a transient
//	          error (timeout); later attempts: sent
//	97        1st and 2nd attempts: transient error       delivered, DeliveryDelay after the accepting send
//	          (receiving access point unavailable);
//	          later attempts: sent
//	98        permanent error: "unknown participant:      -
//	          not registered in the SMP"
//	99        sent                                        rejected, DeliveryDelay after the send: "receiver
//	                                                      rejected the document: unknown order reference"
//	other     (last two characters not both digits) as 00-89
//
// The same table, for integrators, is in README.md next to this file.
//
// The network is deterministic and survives restarts by design: what it
// answers is a function of the receiver id, the message id, the number of
// attempts and the time since the accepting send, and the access point
// message id it returns encodes the outcome and the send time
// ("sbx1-d-1767225600000-<message id>"), so Receipt answers from that id
// alone, in a new process too. Only attempt counts (rules 96 and 97) and
// duplicate detection live in memory; after a restart a resent 96 or 97
// message fails its first attempts again, as a flaky receiver would.
//
// Like a real access point, the network drops a message whose id it has
// already accepted: Send answers with the state of the first transmission
// and counts a duplicate. Sends and Duplicates let tests assert that the
// pipeline transmits each message id once.
package sandbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vatgate/vatgate/internal/peppol/transport"
)

// Defaults for Options.
const (
	DefaultDeliveryDelay = 2 * time.Second
	DefaultTimeout       = 10 * time.Second
)

// Reasons the network gives, exported so tests elsewhere can match them.
const (
	ReasonRejected           = "receiver rejected the document: unknown order reference"
	ReasonUnknownParticipant = "unknown participant: not registered in the SMP"
	ReasonUnavailable        = "receiving access point temporarily unavailable"
	ReasonTimeout            = "timeout: the receiving access point did not answer"
)

// Options tune the network's pacing. Zero values take the defaults.
type Options struct {
	// DeliveryDelay is how long after the accepting send the receiver
	// answers (default 2s, a realistic pace that still keeps "sent" visible).
	DeliveryDelay time.Duration
	// Timeout is how long the first send to a "96" receiver blocks when the
	// context has no earlier deadline (default 10s).
	Timeout time.Duration
	// Clock is the time source for delivery delays (default time.Now).
	// Timeout blocks on real timers.
	Clock func() time.Time
}

// Network is the simulated network. Its methods are safe for concurrent use.
type Network struct {
	delay   time.Duration
	timeout time.Duration
	now     func() time.Time

	mu         sync.Mutex
	msgs       map[string]*message // by our message id
	duplicates int
}

type message struct {
	receiver transport.Participant
	sends    int    // non-duplicate attempts
	apID     string // set once accepted
}

// New returns an empty network.
func New(opt Options) *Network {
	n := &Network{delay: opt.DeliveryDelay, timeout: opt.Timeout, now: opt.Clock, msgs: map[string]*message{}}
	if n.delay <= 0 {
		n.delay = DefaultDeliveryDelay
	}
	if n.timeout <= 0 {
		n.timeout = DefaultTimeout
	}
	if n.now == nil {
		n.now = time.Now
	}
	return n
}

// Name is the transport's configuration name.
func (n *Network) Name() string { return "sandbox" }

// Send transmits m by the rules in the package comment.
func (n *Network) Send(ctx context.Context, m transport.Message) (transport.Result, error) {
	if err := m.Validate(); err != nil {
		return transport.Result{}, err
	}
	n.mu.Lock()
	rec := n.msgs[m.MessageID]
	if rec == nil {
		rec = &message{receiver: m.Receiver}
		n.msgs[m.MessageID] = rec
	}
	if rec.receiver != m.Receiver {
		n.mu.Unlock()
		return transport.Result{}, transport.Permanent(fmt.Sprintf("message id %s was already used for receiver %s", m.MessageID, rec.receiver))
	}
	if rec.apID != "" {
		n.duplicates++
		apID := rec.apID
		n.mu.Unlock()
		return n.answer(apID)
	}
	rec.sends++
	attempt := rec.sends
	rule := ruleFor(m.Receiver.ID)
	switch {
	case rule == ruleUnknown:
		n.mu.Unlock()
		return transport.Result{}, transport.Permanent(ReasonUnknownParticipant)
	case rule == ruleFlaky && attempt <= 2:
		n.mu.Unlock()
		return transport.Result{}, transport.Transient(fmt.Sprintf("%s (attempt %d)", ReasonUnavailable, attempt))
	case rule == ruleTimeout && attempt == 1:
		n.mu.Unlock()
		t := time.NewTimer(n.timeout)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return transport.Result{}, &transport.TransientError{Reason: ReasonTimeout, Err: ctx.Err()}
		case <-t.C:
			return transport.Result{}, transport.Transient(ReasonTimeout)
		}
	}
	rec.apID = encodeID(rule.outcome(), n.now(), m.MessageID)
	apID := rec.apID
	n.mu.Unlock()
	return n.answer(apID)
}

// Receipt answers for a message sent earlier, by the access point message
// id Send returned (works after a restart) or by our message id (only while
// this Network remembers it).
func (n *Network) Receipt(ctx context.Context, messageID string) (transport.Result, error) {
	apID := messageID
	if _, _, _, ok := decodeID(messageID); !ok {
		n.mu.Lock()
		rec := n.msgs[messageID]
		if rec != nil {
			apID = rec.apID
		}
		n.mu.Unlock()
		if rec == nil || apID == "" {
			return transport.Result{}, transport.Permanent(fmt.Sprintf("sandbox: no accepted message %q (after a restart, ask by the access point message id)", messageID))
		}
	}
	return n.answer(apID)
}

// Sends is how many times message id was transmitted, failed attempts
// included and duplicates of an accepted message not.
func (n *Network) Sends(messageID string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if rec := n.msgs[messageID]; rec != nil {
		return rec.sends
	}
	return 0
}

// Duplicates is how many sends the network dropped because their message id
// had already been accepted.
func (n *Network) Duplicates() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.duplicates
}

// answer is the state of an accepted message now.
func (n *Network) answer(apID string) (transport.Result, error) {
	out, sentAt, _, ok := decodeID(apID)
	if !ok {
		return transport.Result{}, transport.Permanent(fmt.Sprintf("sandbox: %q is not a sandbox message id", apID))
	}
	res := transport.Result{Status: transport.StatusSent, APMessageID: apID}
	if out == outcomeNever {
		return res, nil // no answer will come: ReceiptAfter 0, stop asking
	}
	due := n.delay
	if out == outcomeSlow {
		due = 10 * n.delay
	}
	if wait := due - n.now().Sub(sentAt); wait > 0 {
		res.ReceiptAfter = wait
		return res, nil
	}
	if out == outcomeRejected {
		res.Status, res.Reason = transport.StatusRejected, ReasonRejected
		return res, nil
	}
	res.Status = transport.StatusDelivered
	return res, nil
}

type rule int

const (
	ruleDeliver rule = iota
	ruleSlow
	ruleNever
	ruleTimeout
	ruleFlaky
	ruleUnknown
	ruleReject
)

// ruleFor reads the rule off the last two characters of a participant id.
func ruleFor(id string) rule {
	if len(id) < 2 {
		return ruleDeliver
	}
	a, b := id[len(id)-2], id[len(id)-1]
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return ruleDeliver
	}
	switch v := int(a-'0')*10 + int(b-'0'); {
	case v <= 89:
		return ruleDeliver
	case v <= 94:
		return ruleSlow
	case v == 95:
		return ruleNever
	case v == 96:
		return ruleTimeout
	case v == 97:
		return ruleFlaky
	case v == 98:
		return ruleUnknown
	default:
		return ruleReject
	}
}

// Outcomes, as encoded in the access point message id.
const (
	outcomeDelivered = "d"
	outcomeSlow      = "s"
	outcomeNever     = "n"
	outcomeRejected  = "r"
)

func (r rule) outcome() string {
	switch r {
	case ruleSlow:
		return outcomeSlow
	case ruleNever:
		return outcomeNever
	case ruleReject:
		return outcomeRejected
	default:
		return outcomeDelivered
	}
}

const idPrefix = "sbx1"

// encodeID makes the access point message id: version, outcome, accepting
// send time in Unix milliseconds, our message id (last: it may hold "-").
func encodeID(outcome string, sentAt time.Time, messageID string) string {
	return idPrefix + "-" + outcome + "-" + strconv.FormatInt(sentAt.UnixMilli(), 10) + "-" + messageID
}

func decodeID(apID string) (outcome string, sentAt time.Time, messageID string, ok bool) {
	parts := strings.SplitN(apID, "-", 4)
	if len(parts) != 4 || parts[0] != idPrefix || parts[3] == "" {
		return "", time.Time{}, "", false
	}
	switch parts[1] {
	case outcomeDelivered, outcomeSlow, outcomeNever, outcomeRejected:
	default:
		return "", time.Time{}, "", false
	}
	ms, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || ms < 0 {
		return "", time.Time{}, "", false
	}
	return parts[1], time.UnixMilli(ms).UTC(), parts[3], true
}

var _ transport.Transport = (*Network)(nil)
