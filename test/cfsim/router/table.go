package router

import (
	"strconv"
	"strings"
	"sync"
)

// table is one router's routing table: pools keyed by lower-cased "host" or "host/path".
// Requests read it concurrently; only the router's delivery goroutine writes it.
type table struct {
	mu    sync.RWMutex
	pools map[string]*pool
}

func newTable() *table {
	return &table{pools: map[string]*pool{}}
}

// routeKey normalises a URI the way gorouter's RouteKey does: lower case, no query, no trailing slash.
func routeKey(uri string) string {
	uri, _, _ = strings.Cut(uri, "?")
	return strings.TrimRight(strings.ToLower(uri), "/")
}

func (t *table) apply(m Message) {
	key := routeKey(m.URI)
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pools[key]
	if m.Register {
		if p == nil {
			p = newPool()
			t.pools[key] = p
		}
		p.put(m.Endpoint)
		return
	}
	// An emptied pool is deleted at once (empty_pool_timeout 0), so the host answers 404, not 503.
	if p != nil && p.remove(m.Endpoint.Address) {
		delete(t.pools, key)
	}
}

func (t *table) snapshot() map[string][]Endpoint {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make(map[string][]Endpoint, len(t.pools))
	for k, p := range t.pools {
		out[k] = p.endpoints()
	}
	return out
}

// lookup finds the pool for host (without port) and path: the longest path prefix of the exact
// host first, then the same for each wildcard level ("*.b.c", then "*.c").
func (t *table) lookup(host, path string) *pool {
	host = strings.ToLower(host)
	path = routeKey(path)
	t.mu.RLock()
	defer t.mu.RUnlock()
	for {
		if p := t.longestPrefix(host, path); p != nil {
			return p
		}
		next, ok := nextWildcard(host)
		if !ok {
			return nil
		}
		host = next
	}
}

// longestPrefix matches whole path segments, so "/foo" serves "/foo/bar" but not "/foobar".
func (t *table) longestPrefix(host, path string) *pool {
	for {
		if p, ok := t.pools[host+path]; ok {
			return p
		}
		i := strings.LastIndexByte(path, '/')
		if i < 0 {
			return nil
		}
		path = path[:i]
	}
}

// nextWildcard turns "a.b.c" into "*.b.c" and "*.b.c" into "*.c".
func nextWildcard(host string) (string, bool) {
	rest := strings.TrimPrefix(host, "*.")
	i := strings.IndexByte(rest, '.')
	if i < 0 {
		return "", false
	}
	return "*" + rest[i:], true
}

// withAppInstance narrows p to the endpoint of appGUID with index idx (gorouter compares the
// index as a string). If several match, the last wins, as in gorouter's LookupWithAppInstance.
func withAppInstance(p *pool, appGUID, idx string) *pool {
	var found *Endpoint
	for _, e := range p.endpoints() {
		if e.AppGUID == appGUID && strconv.Itoa(e.Index) == idx {
			found = &e
		}
	}
	if found == nil {
		return nil
	}
	return newPool(*found)
}

// withProcessInstance narrows p to the endpoints of processGUID, and to index idx unless idx is empty.
func withProcessInstance(p *pool, processGUID, idx string) *pool {
	var matches []Endpoint
	for _, e := range p.endpoints() {
		if e.ProcessGUID == processGUID && (idx == "" || strconv.Itoa(e.Index) == idx) {
			matches = append(matches, e)
		}
	}
	if len(matches) == 0 {
		return nil
	}
	return newPool(matches...)
}
