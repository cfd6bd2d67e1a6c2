package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/token"
)

// requestToken finds the token: in the path (the documented form), else in
// an Authorization header as a Bearer token or as HTTP Basic credentials
// (the token as user name, or as password with any user name).
func requestToken(r *http.Request) string {
	if t := requestFrom(r.Context()).pathToken; t != "" {
		return t
	}
	h := r.Header.Get("Authorization")
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	if user, pass, ok := r.BasicAuth(); ok {
		if token.LooksLikeToken(pass) || user == "" {
			return pass
		}
		return user
	}
	return ""
}

// authed wraps a handler that needs a merchant: 401 without a live token.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := requestToken(r)
		if tok == "" {
			writeJSON(w, http.StatusUnauthorized, errorf(http.StatusUnauthorized, "missing access token"))
			return
		}
		hash := token.Hash(tok)
		m, err := s.store.Authenticate(r.Context(), hash)
		if errors.Is(err, store.ErrNotFound) {
			writeJSON(w, http.StatusUnauthorized, errorf(http.StatusUnauthorized, "invalid access token"))
			return
		}
		if err != nil {
			s.fail(w, r, nil, err)
			return
		}
		rq := requestFrom(r.Context())
		rq.merchant, rq.tokenHash = m, hash
		h(w, r)
	}
}

// merchantID is the authenticated merchant of the request.
func merchantID(r *http.Request) int64 { return requestFrom(r.Context()).merchant.ID }
