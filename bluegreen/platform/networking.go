package platform

// Policy is a container-to-container network policy: Source may open connections to
// Destination on the ports from StartPort to EndPort with Protocol (tcp or udp).
type Policy struct {
	SourceGUID      string // an app guid
	DestinationGUID string // an app guid
	Protocol        string
	StartPort       int
	EndPort         int
}

// Domain is one of the foundation's domains. Routes on an internal domain (apps.internal)
// never reach the gorouters: apps reach them container to container only.
type Domain struct {
	GUID     string
	Name     string
	Internal bool
}
