package contract

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// taskSpecs: a migration runs as a task on a droplet that is not the app's current one yet.
// The commands are test/apps/versioned's migrate mode, which the fake reads the same way.
func taskSpecs(x *fixture) {
	Describe("tasks", func() {
		It("runs a task on a droplet to SUCCEEDED, or to FAILED with the exit status, and cancels one that runs", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 1, nil, nil)
			pkg, err := p.Upload(ctx, a.GUID, x.f.Bits)
			Expect(err).NotTo(HaveOccurred())
			droplet, err := p.Stage(ctx, pkg)
			Expect(err).NotTo(HaveOccurred())

			run := func(name, command string) platform.Task {
				t, err := p.RunTask(ctx, platform.TaskRequest{AppGUID: a.GUID, DropletGUID: droplet, Name: name, Command: command})
				Expect(err).NotTo(HaveOccurred())
				Expect(t.Name).To(Equal(name))
				return t
			}
			until := func(t platform.Task, done func(platform.Task) bool) platform.Task {
				var got platform.Task
				Expect(eventually(ctx, x.f.Patience, func() error {
					var err error
					if got, err = p.Task(ctx, t.GUID); err == nil && !done(got) {
						return fmt.Errorf("task %s is %s", got.Name, got.State)
					}
					return err
				})).To(Succeed())
				return got
			}
			ok := until(run("migrate-1", "./versioned migrate"), platform.Task.Done)
			Expect(ok.State).To(Equal(platform.TaskSucceeded))
			failed := until(run("migrate-2", "./versioned migrate --exit 3"), platform.Task.Done)
			Expect(failed.State).To(Equal(platform.TaskFailed))
			Expect(failed.FailureReason).To(ContainSubstring("Exited with status 3"))

			slow := run("migrate-3", "./versioned migrate --sleep 60s")
			Expect(slow.Done()).To(BeFalse())
			Expect(p.CancelTask(ctx, slow.GUID)).To(Succeed())
			Expect(until(slow, platform.Task.Done).State).To(Equal(platform.TaskFailed))
		})
	})
}
