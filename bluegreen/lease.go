package bluegreen

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// Lease is a lock on an app, held by a second app with a fixed name (APP-candidate for a
// blue-green deploy): CC refuses a second app with that name, so creating it is the lock. Its
// lease-expires annotation is renewed while the run lives; a run that was killed stops renewing,
// and the next one heals what it left, from the step its journal (the step annotation) reached.
type Lease struct {
	CC        Apps
	Log       *Timeline
	SpaceGUID string
	For       string // the app the lease is on
	Name      string // the lock app's name
	Role      string // the lock app's role label
	TTL       time.Duration
	Build     Build
	ID        string // this run's deploy id
	// Docker makes the lock app with the docker lifecycle: blue-green's lock app becomes the
	// new version, and CC never changes an app's lifecycle type once it is made.
	Docker bool

	mu     sync.Mutex
	holder *platform.App
	stop   func()
	// writing serializes the lock app's updates: a renewal must never land after a rename (it
	// names the app, and would rename it back).
	writing sync.Mutex
}

// NewID makes a deploy id.
func NewID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Holder is the lock app while the lease is held, else nil.
func (l *Lease) Holder() *platform.App {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.holder
}

// Released forgets the lock app: it was renamed or deleted, and its name is free.
func (l *Lease) Released() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.holder = nil
}

func (l *Lease) annotations(step string) map[string]string {
	ann := map[string]string{
		AnnApp: l.For, AnnDeployID: l.ID, AnnStep: step,
		AnnLeaseExpires: Timestamp(time.Now().Add(l.TTL)),
	}
	for k, v := range l.Build {
		ann[KeyPrefix+k] = v
	}
	return ann
}

// Take creates the lock app; if one exists it waits for a live lease to go, or has heal bring
// back what an expired one left, for up to wait.
func (l *Lease) Take(ctx context.Context, wait time.Duration, heal func(context.Context, *platform.App) error) (*platform.App, error) {
	deadline := time.Now().Add(wait)
	for {
		app, err := l.create(ctx)
		if err == nil {
			l.mu.Lock()
			l.holder = app
			l.mu.Unlock()
			return app, nil
		}
		if !errors.Is(err, platform.ErrNameTaken) {
			return nil, err
		}
		if err := l.contend(ctx, deadline, wait, heal); err != nil {
			return nil, err
		}
	}
}

// create makes the lock app, of the docker lifecycle when the lease says so.
func (l *Lease) create(ctx context.Context) (*platform.App, error) {
	labels, annotations := map[string]string{LabelRole: l.Role}, l.annotations("created")
	if l.Docker {
		return l.CC.CreateDockerApp(ctx, l.SpaceGUID, l.Name, labels, annotations)
	}
	return l.CC.CreateApp(ctx, l.SpaceGUID, l.Name, labels, annotations)
}

// contend deals with an existing lock app: heal it when its lease expired, else wait.
func (l *Lease) contend(ctx context.Context, deadline time.Time, wait time.Duration, heal func(context.Context, *platform.App) error) error {
	other, err := l.CC.AppByName(ctx, l.SpaceGUID, l.Name)
	if err != nil || other == nil {
		return err // gone meanwhile: try again
	}
	if Expired(other) {
		l.Log.Note("found %s left by an interrupted deploy (%s); healing", other.Name, other.Annotations[AnnDeployID])
		// Healing brings the space back to one serving version: an abort lets it finish.
		ctx, cancel := Uninterrupted(ctx)
		defer cancel()
		return heal(ctx, other)
	}
	if time.Now().After(deadline) {
		return fmt.Errorf("another deploy (%s) holds the lease on %s; waited %s (params.lease_timeout)",
			other.Annotations[AnnDeployID], l.For, wait)
	}
	l.Log.Note("another deploy (%s) is running; waiting for its lease", other.Annotations[AnnDeployID])
	return poll.Sleep(ctx, time.Second)
}

// Expired reports whether an app's lease has run out (or it has none).
func Expired(app *platform.App) bool {
	t, err := time.Parse(time.RFC3339Nano, app.Annotations[AnnLeaseExpires])
	return err != nil || time.Now().After(t)
}

// Record writes how far the run got (the journal) and renews the lease; "" renews only. A
// failed renewal is logged: the lease then runs out after its TTL, and a waiting run may heal.
func (l *Lease) Record(ctx context.Context, step string) {
	l.writing.Lock()
	defer l.writing.Unlock()
	holder := l.Holder()
	if holder == nil {
		return
	}
	ann := map[string]*string{}
	expires := Timestamp(time.Now().Add(l.TTL))
	ann[AnnLeaseExpires] = &expires
	if step != "" {
		ann[AnnStep] = &step
	}
	if err := l.CC.Update(ctx, holder.GUID, holder.Name, nil, ann); err != nil && ctx.Err() == nil {
		l.Log.Fail("renewing the lease on %s failed (it runs out at the latest %s after the last renewal): %v", holder.Name, l.TTL, err)
	}
}

// Rename renames an app and updates its metadata; when the app is the lock app, the lease is
// released with it (its name is free), and no renewal can land after it.
func (l *Lease) Rename(ctx context.Context, guid, name string, labels, annotations map[string]*string) error {
	l.writing.Lock()
	defer l.writing.Unlock()
	if err := l.CC.Update(ctx, guid, name, labels, annotations); err != nil {
		return err
	}
	if holder := l.Holder(); holder != nil && holder.GUID == guid {
		l.Released()
	}
	return nil
}

// Heartbeat renews the lease every third of its TTL until Stop.
func (l *Lease) Heartbeat(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for poll.Sleep(ctx, l.TTL/3) == nil {
			l.Record(ctx, "")
		}
	}()
	var once sync.Once
	l.mu.Lock()
	l.stop = func() { once.Do(func() { cancel(); <-done }) }
	l.mu.Unlock()
}

// Stop ends the heartbeat (it may be called twice, or without one).
func (l *Lease) Stop() {
	l.mu.Lock()
	stop := l.stop
	l.mu.Unlock()
	if stop != nil {
		stop()
	}
}
