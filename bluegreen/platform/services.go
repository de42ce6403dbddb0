package platform

// ServiceInstance is a service instance, managed (from a broker) or user-provided.
type ServiceInstance struct {
	GUID, Name   string
	UserProvided bool
}

// Binding is a service credential binding of type app: what binds a service instance to an
// app, and puts its credentials into the app's VCAP_SERVICES under Name (the instance's name
// when the binding has none).
type Binding struct {
	GUID                string
	Name                string // the binding's own name; "" when it has none
	AppGUID             string
	ServiceInstanceGUID string
	ServiceInstanceName string
}

// BindingRequest asks for a new binding of an app to a service instance.
type BindingRequest struct {
	AppGUID             string
	ServiceInstanceGUID string
	Name                string         // "" = none
	Parameters          map[string]any // nil = none (user-provided instances take none)
}
