package platform

import "time"

// Space is a resolved org and space.
type Space struct {
	GUID, Name       string
	OrgGUID, OrgName string
	QuotaGUID        string // space quota, "" when none
	OrgQuotaGUID     string
}

// App is what the engine needs to know about an app.
type App struct {
	GUID, Name  string
	State       AppState
	Lifecycle   Lifecycle // buildpack or docker, fixed when the app was created
	DropletGUID string
	Labels      map[string]string
	Annotations map[string]string
	Created     time.Time
}

// Started reports whether the app's desired state is STARTED.
func (a *App) Started() bool { return a != nil && a.State == AppStarted }

// Process is the size of one of an app's processes.
type Process struct {
	GUID         string
	Type         string // web, worker, ...
	Instances    int
	MemoryMB     int
	DiskMB       int
	LogRateLimit int // bytes per second; -1 is unlimited
}

// Scale changes a process's size; nil fields stay as they are.
type Scale struct {
	Instances, MemoryMB, DiskMB, LogRateLimit *int
}

// Instance is one instance of a process as CC reports it.
type Instance struct {
	Index    int
	State    InstanceState
	Routable bool
	Details  string
}

// Headroom is the memory a space can still start: nil means unlimited.
type Headroom struct {
	OrgFreeMB   *int
	SpaceFreeMB *int
}

// Apply sets the fields s gives on p.
func (s Scale) Apply(p *Process) {
	for _, f := range []struct {
		v   *int
		set *int
	}{{&p.Instances, s.Instances}, {&p.MemoryMB, s.MemoryMB}, {&p.DiskMB, s.DiskMB}, {&p.LogRateLimit, s.LogRateLimit}} {
		if f.set != nil {
			*f.v = *f.set
		}
	}
}

// Empty reports whether s changes nothing.
func (s Scale) Empty() bool {
	return s.Instances == nil && s.MemoryMB == nil && s.DiskMB == nil && s.LogRateLimit == nil
}
