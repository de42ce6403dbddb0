package bluegreen

// Settled exposes the platform wrapper an abort cannot cut a change short through, to its spec.
func Settled(p Platform) Platform { return settledPlatform{p} }
