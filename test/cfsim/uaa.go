package cfsim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// uaa issues and checks tokens as UAA does for CC clients
// (docs/platform/cloud-controller.md#uaa-tokens): password grant
// with client "cf" and an empty secret, client_credentials (Basic header or form fields),
// refresh_token. Access tokens are real three-part JWTs with exp, signed with HMAC-SHA256.
type uaa struct {
	cfg     Config
	issuer  string
	userID  string // the user's UAA guid: the same in every token, as audit events name it
	key     []byte
	mu      sync.Mutex
	ttl     time.Duration
	refresh map[string]tokenOwner // refresh token -> who it belongs to
	issued  []string              // every access and refresh token, for tests that scan output
}

type tokenOwner struct{ user, client, grant string }

const uaaScopes = "cloud_controller.read cloud_controller.write cloud_controller.admin openid uaa.user network.admin network.write"

func newUAA(cfg Config, base string) *uaa {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &uaa{cfg: cfg, issuer: base + "/oauth/token", key: key, ttl: cfg.TokenTTL, refresh: map[string]tokenOwner{},
		userID: newGUID()}
}

// SetTTL changes the lifetime of tokens issued from now on.
func (u *uaa) SetTTL(d time.Duration) {
	u.mu.Lock()
	u.ttl = d
	u.mu.Unlock()
}

func (u *uaa) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		uaaError(w, http.StatusBadRequest, "invalid_request", "Malformed request body")
		return
	}
	clientID, secret := clientCredentials(r)
	var owner tokenOwner
	var ok bool
	switch grant := r.PostForm.Get("grant_type"); grant {
	case "password":
		owner, ok = u.passwordGrant(r, clientID, secret)
	case "client_credentials":
		owner, ok = tokenOwner{client: clientID, grant: grant},
			clientID == u.cfg.ClientID && secret == u.cfg.ClientSecret
	case "refresh_token":
		owner, ok = u.refreshGrant(r)
		if !ok {
			uaaError(w, http.StatusUnauthorized, "invalid_token", "Invalid refresh token")
			return
		}
	default:
		uaaError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: "+grant)
		return
	}
	if !ok {
		uaaError(w, http.StatusUnauthorized, "unauthorized", "Bad credentials")
		return
	}
	writeJSON(w, http.StatusOK, u.issue(owner))
}

// clientCredentials reads the client from the Basic header (go-cfclient, cf CLI password
// grant) or from the form (cf CLI client_credentials).
func clientCredentials(r *http.Request) (string, string) {
	if id, secret, ok := r.BasicAuth(); ok {
		return id, secret
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
}

func (u *uaa) passwordGrant(r *http.Request, clientID, secret string) (tokenOwner, bool) {
	ok := clientID == "cf" && secret == "" &&
		r.PostForm.Get("username") == u.cfg.Username && r.PostForm.Get("password") == u.cfg.Password
	return tokenOwner{user: u.cfg.Username, client: "cf", grant: "password"}, ok
}

func (u *uaa) refreshGrant(r *http.Request) (tokenOwner, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	owner, ok := u.refresh[r.PostForm.Get("refresh_token")]
	return owner, ok
}

func (u *uaa) issue(owner tokenOwner) map[string]any {
	u.mu.Lock()
	ttl := u.ttl
	u.mu.Unlock()
	now := time.Now()
	claims := map[string]any{
		"jti": newGUID(), "client_id": owner.client, "cid": owner.client, "grant_type": owner.grant,
		"scope": strings.Fields(uaaScopes), "iss": u.issuer, "aud": []string{"cloud_controller", "openid"},
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(), "zid": "uaa", "origin": "uaa",
	}
	if owner.user != "" {
		claims["user_id"], claims["user_name"], claims["email"] = u.userID, owner.user, owner.user
	}
	access := u.sign(claims)
	resp := map[string]any{
		"access_token": access, "token_type": "bearer", "expires_in": int(ttl.Seconds()),
		"scope": uaaScopes, "jti": claims["jti"],
	}
	u.mu.Lock()
	u.issued = append(u.issued, access)
	u.mu.Unlock()
	// client_credentials responses carry no refresh token
	// (docs/platform/cloud-controller.md#token-responses).
	if owner.grant != "client_credentials" {
		rt := newGUID() + "-r"
		u.mu.Lock()
		u.refresh[rt] = owner
		u.issued = append(u.issued, rt)
		u.mu.Unlock()
		resp["refresh_token"] = rt
	}
	return resp
}

// IssuedTokens returns every access and refresh token UAA has issued, so a test can check
// that none of them ever shows up in a client's output.
func (s *Sim) IssuedTokens() []string {
	s.uaa.mu.Lock()
	defer s.uaa.mu.Unlock()
	return append([]string(nil), s.uaa.issued...)
}

func (u *uaa) sign(claims map[string]any) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT", "kid": "cfsim"})
	payload, _ := json.Marshal(claims)
	unsigned := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, u.key)
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

// valid checks a bearer token's signature and expiry, as CC does before every request.
func (u *uaa) valid(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	mac := hmac.New(sha256.New, u.key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	return time.Now().Unix() < claims.Exp
}

func uaaError(w http.ResponseWriter, status int, kind, description string) {
	writeJSON(w, status, map[string]string{"error": kind, "error_description": description})
}

// handleLoginInfo answers the cf CLI's GET {login}/login prompt discovery.
func (u *uaa) handleLoginInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"app": map[string]string{"version": "cfsim"},
		"prompts": map[string][]string{
			"username": {"text", "Email"}, "password": {"password", "Password"},
		},
	})
}
