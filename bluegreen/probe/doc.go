// Package probe proves, through the routers, what users of a Cloud Foundry route get.
//
// Cloud Controller answers a route change long before every gorouter knows about it
// (docs/platform/propagation-and-gorouter.md#route-propagation), so the deploy engine must not
// unmap or stop an old version on CC's word. A Prober sends requests to the route through the routers and
// waits for proof:
//
//   - X-CF-App-Instance: APP_GUID:INDEX (blue-green, two apps) or X-CF-Process-Instance:
//     PROCESS_GUID:INDEX (CAPI deployments) makes the router answer from that one instance, or with
//     its own 400 unknown_route when the instance is not in the route's pool
//     (docs/platform/propagation-and-gorouter.md#targeting-one-instance);
//   - a Marker (a header or body text that only one version returns) is the fallback where the
//     instance headers are not honoured.
//
// Who answered is read from the response, never guessed from the status code: gorouter's own error
// pages carry X-Cf-Routererror, and every response gorouter proxied from an app carries
// X-Vcap-Request-Id (docs/platform/propagation-and-gorouter.md#response-headers-gorouter-adds). A
// response with neither came from something else, such as a load balancer's own 502, and proves
// nothing either way.
//
// Each base (a router, or a load balancer hiding several) must confirm K times in a row, for each
// instance index in turn. Indexes are confirmed one after another rather than interleaved so that
// a strictly round-robin load balancer cannot send every probe of one index to the same router.
// With a single base every probe opens a new connection: an L4 load balancer pins a connection to
// one router, and reusing it would confirm that router K times and the others never.
//
// Several bases are probed concurrently and each must confirm on its own; a timeout reports every
// base that had not, with what it last saw.
package probe
