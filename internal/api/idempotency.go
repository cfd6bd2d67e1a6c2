package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/vatgate/vatgate/internal/store"
)

// Idempotency keys, as Stripe has them: a client may send any POST or PUT
// that needs a token with an Idempotency-Key header, and a retry with the
// same key gets the first answer back instead of writing twice.
//
//   - The key is the merchant's: two merchants' equal keys never meet.
//   - The same key with the same method, canonical path (no token in it) and
//     body within 24 hours of the first use answers the first answer again,
//     byte for byte, with Idempotent-Replayed: true; the handler does not
//     run (nothing is stored again, no OMP call counted).
//   - The same key with another request answers 422; while the first
//     request is still running, the same request answers 409.
//   - Only answers below 400 are kept. In vatgate a 4xx answer means nothing
//     was written (a refused body, an unknown id, a limit: every write is
//     one transaction, and a bulk upload with refused records answers 200),
//     so, as Stripe keeps no result for a request that failed validation,
//     the client may correct the request and send it again under the same
//     key. A 5xx answer is not kept either: the failure was ours, and a
//     retry must be able to run.
//   - The answer is kept before it is sent, so a retry after a lost
//     connection is a replay. A server that dies while a request runs
//     leaves its claim locked for idempotencyLock; after that the same
//     request takes it over and runs.
//
// The check runs after authentication (the key needs the merchant) and
// after the request limit (a retry counts against it like any request).
// A request without the header is served exactly as before.

const (
	// IdempotencyKeyHeader is the request header that carries the key.
	IdempotencyKeyHeader = "Idempotency-Key"
	// IdempotentReplayedHeader marks a replayed answer.
	IdempotentReplayedHeader = "Idempotent-Replayed"
	// maxIdempotencyKey is Stripe's bound on a key's length.
	maxIdempotencyKey = 255
	// idempotencyTTL is how long a key and its answer are kept.
	idempotencyTTL = 24 * time.Hour
	// idempotencyLock is how long a running request holds its key: after
	// it, the request is presumed dead with its server, and a retry takes
	// the key over.
	idempotencyLock = 2 * time.Minute
	// idempotencyDeadline bounds a request run under a key, well inside its
	// lock, so its writes are done or cut off (rolled back) before anyone
	// may take the key over. Clients get no answer after serve's 60s write
	// timeout in any case.
	idempotencyDeadline = idempotencyLock - 30*time.Second
	// idempotencyPurgeEvery paces the deletion of expired keys.
	idempotencyPurgeEvery = time.Hour
)

// idempotent wraps a POST or PUT handler behind authentication with the
// Idempotency-Key rules above.
func (s *Server) idempotent(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		keys := r.Header.Values(IdempotencyKeyHeader)
		if len(keys) == 0 {
			h(w, r)
			return
		}
		if aerr := checkIdempotencyKey(keys); aerr != nil {
			s.fail(w, r, aerr, nil)
			return
		}
		key := keys[0]

		// Read the body once, under the usual limit, and hand the handler
		// the same bytes. A body that cannot be read is handed over as it
		// failed (the bytes read, then the same error), so the handler
		// answers it as it always has; such an answer is a 4xx, which
		// would not be kept, so the key is not even looked up.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		if err != nil {
			h(w, r)
			return
		}

		mid := merchantID(r)
		req := store.IdemRequest{Key: key, Method: r.Method, Path: r.URL.Path, Hash: requestHash(r, body)}
		s.purgeIdempotencyKeys(r.Context())
		st, err := s.store.BeginIdempotent(r.Context(), mid, req, idempotencyTTL, idempotencyLock)
		if err != nil {
			s.fail(w, r, nil, err)
			return
		}
		switch st.Kind {
		case store.IdemReplay:
			if st.Response.ContentType != "" {
				w.Header().Set("Content-Type", st.Response.ContentType)
			}
			w.Header().Set(IdempotentReplayedHeader, "true")
			w.WriteHeader(st.Response.Status)
			_, _ = w.Write(st.Response.Body) // a failed write means the client went away
		case store.IdemInProgress:
			s.fail(w, r, errorf(http.StatusConflict, "a request with this Idempotency-Key is still being processed"), nil)
		case store.IdemMismatch:
			s.fail(w, r, errorf(http.StatusUnprocessableEntity, "Idempotency-Key was already used with a different request body"), nil)
		case store.IdemStarted:
			s.runIdempotent(w, r, h, mid, req)
		default:
			s.fail(w, r, nil, fmt.Errorf("BeginIdempotent answered kind %d", st.Kind))
		}
	}
}

// runIdempotent runs the handler of a claimed key into a buffer, keeps the
// answer when it is one to keep, and only then sends it; an answer not to
// keep, or a panic, gives the key up.
func (s *Server) runIdempotent(w http.ResponseWriter, r *http.Request, h http.HandlerFunc, mid int64, req store.IdemRequest) {
	// The claim must be settled even when the client has gone away and
	// the request's context with it.
	settle := context.WithoutCancel(r.Context())
	done := false
	defer func() {
		if !done { // the handler panicked: the panic goes on to ServeHTTP
			s.abandonIdempotent(settle, r, mid, req)
		}
	}()
	ctx, cancel := context.WithTimeout(r.Context(), idempotencyDeadline)
	buf := &bufferedResponse{header: w.Header()}
	h(buf, r.WithContext(ctx))
	cancel()
	done = true

	status := buf.statusCode()
	if status < http.StatusBadRequest {
		resp := store.IdemResponse{Status: status, ContentType: buf.header.Get("Content-Type"), Body: buf.body.Bytes()}
		if err := s.store.FinishIdempotent(settle, mid, req.Key, req.Hash, resp); err != nil {
			// The handler's writes are committed; its answer is the truth
			// about them, so it is sent all the same. The claim is left
			// to its lock: a retry meanwhile answers 409 rather than
			// writing again at once.
			s.log.ErrorContext(r.Context(), "idempotency: the answer could not be kept", "method", r.Method,
				"path", requestFrom(r.Context()).logPath, "status", status, "err", err)
		}
	} else {
		s.abandonIdempotent(settle, r, mid, req)
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.body.Bytes()) // a failed write means the client went away
}

func (s *Server) abandonIdempotent(ctx context.Context, r *http.Request, mid int64, req store.IdemRequest) {
	if err := s.store.AbandonIdempotent(ctx, mid, req.Key, req.Hash); err != nil {
		s.log.ErrorContext(ctx, "idempotency: the key could not be given up; it stays locked until its lock runs out",
			"method", r.Method, "path", requestFrom(r.Context()).logPath, "err", err)
	}
}

// purgeIdempotencyKeys deletes expired keys, at most once per
// idempotencyPurgeEvery and by one request at a time; the request that
// does it waits for one indexed DELETE. Expired keys are ignored anyway, so
// a failed purge only waits for the next.
func (s *Server) purgeIdempotencyKeys(ctx context.Context) {
	now := s.cfg.Now()
	last := s.idemPurge.last.Load()
	if now.UnixNano()-last < int64(idempotencyPurgeEvery) || !s.idemPurge.last.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	n, err := s.store.PurgeIdempotencyKeys(ctx, now)
	if err != nil {
		s.log.WarnContext(ctx, "idempotency: purging expired keys failed", "err", err)
		return
	}
	if n > 0 {
		s.log.InfoContext(ctx, "idempotency: expired keys purged", "keys", n)
	}
}

// idemPurge remembers when expired keys were last purged.
type idemPurge struct {
	last atomic.Int64 // Unix nanoseconds on Config.Now; 0: never
}

// checkIdempotencyKey refuses a key given twice, empty, longer than
// maxIdempotencyKey or with anything but printable ASCII (a UUID is the
// usual choice).
func checkIdempotencyKey(keys []string) *apiError {
	if len(keys) > 1 {
		return errorf(http.StatusBadRequest, "%s: give one key, not %d", IdempotencyKeyHeader, len(keys))
	}
	k := keys[0]
	if len(k) == 0 || len(k) > maxIdempotencyKey {
		return errorf(http.StatusBadRequest, "%s: must be 1 to %d characters long", IdempotencyKeyHeader, maxIdempotencyKey)
	}
	for i := range len(k) {
		if k[i] < 0x20 || k[i] > 0x7e {
			return errorf(http.StatusBadRequest, "%s: only printable ASCII characters are allowed", IdempotencyKeyHeader)
		}
	}
	return nil
}

// requestHash is what makes two requests under a key the same one: the
// method, the canonical path (the token taken out, aliases resolved), the
// query and the body, each length-prefixed so no two requests run
// together into the same bytes.
func requestHash(r *http.Request, body []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(r.Method), []byte(r.URL.Path), []byte(r.URL.RawQuery), body} {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(part))))
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// errReader fails every read with err, or reports the end when err is nil.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err == nil {
		return 0, io.EOF
	}
	return 0, e.err
}

// bufferedResponse holds a handler's answer until it is kept. Headers go to
// the real response's map at once (nothing is sent before WriteHeader).
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// statusCode is the status the handler answered; 200 if it wrote nothing.
func (b *bufferedResponse) statusCode() int {
	if b.status == 0 {
		return http.StatusOK
	}
	return b.status
}
