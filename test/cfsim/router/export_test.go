package router

import "net/http"

// NewBalancer exposes the load balancer alone, so a test can point it at a dead router.
func NewBalancer(routers []string) http.Handler {
	return newBalancer(routers, newTransport())
}
