package contract

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// webAndWorker is an app with a web process and a worker (the suite's app, run as a worker too).
const webAndWorker = `applications:
- name: shop
  no-route: true
  processes:
  - type: web
    instances: 1
    memory: 64M
  - type: worker
    command: ./versioned
    instances: 2
    memory: 32M
    disk_quota: 256M
`

func processSpecs(x *fixture) {
	Describe("every process type", func() {
		It("lists web and the other types with their sizes, web first", func() {
			a := x.applied(webAndWorker, "shop")
			procs, err := x.port().AppProcesses(*x.ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(procs).To(HaveLen(2))
			web, worker := procs[0], procs[1]
			Expect([]any{web.Type, web.Instances, web.MemoryMB}).To(Equal([]any{"web", 1, 64}))
			Expect(web.DiskMB).To(BeNumerically(">", 0), "CC's default disk")
			Expect(withoutGUID(worker)).To(Equal(platform.Process{Type: "worker", Instances: 2, MemoryMB: 32, DiskMB: 256, LogRateLimit: -1}))
			Expect(web.GUID).NotTo(Equal(worker.GUID))
		})

		It("scales only the fields given, each process on its own, and reports each type's instances", func() {
			ctx, p := *x.ctx, x.port()
			a := x.applied(webAndWorker, "shop")
			procs, err := p.AppProcesses(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			web, worker := procs[0], procs[1]
			one, two, mem, rate := 1, 2, 48, 4096
			Expect(p.ScaleProcess(ctx, worker.GUID, platform.Scale{Instances: &one})).To(Succeed())
			Expect(p.ScaleProcess(ctx, worker.GUID, platform.Scale{MemoryMB: &mem, LogRateLimit: &rate})).To(Succeed())
			Expect(p.ScaleProcess(ctx, web.GUID, platform.Scale{Instances: &two, LogRateLimit: &rate})).To(Succeed())
			Expect(p.ScaleProcess(ctx, web.GUID, platform.Scale{})).To(Succeed(), "nothing to change")

			procs, err = p.AppProcesses(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			want := web
			want.Instances, want.LogRateLimit = 2, rate
			Expect(procs[0]).To(Equal(want))
			Expect(procs[1]).To(Equal(platform.Process{GUID: worker.GUID, Type: "worker", Instances: 1, MemoryMB: 48, DiskMB: 256, LogRateLimit: 4096}))

			x.started(a, 2)
			Expect(eventually(ctx, x.f.Patience, func() error {
				insts, err := p.TypeInstances(ctx, a.GUID, "worker")
				return errors.Join(err, allRunning(insts, 1))
			})).To(Succeed())
			webInsts, err := p.TypeInstances(ctx, a.GUID, "web")
			Expect(err).NotTo(HaveOccurred())
			Expect(allRunning(webInsts, 2)).To(Succeed())
		})
	})
}

func withoutGUID(p platform.Process) platform.Process {
	p.GUID = ""
	return p
}
