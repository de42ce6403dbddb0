package main

import (
	"math/rand/v2"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func oursRow(kind string, deploys ...deployStats) row {
	return row{Strategy: strategy{Name: "ours: " + kind, Ours: true, Kind: kind, App: "ours-" + kind}, Deploys: deploys}
}

func cliRow(deploys ...deployStats) row {
	return row{Strategy: strategy{Name: "cf push --strategy rolling", App: cliRollingApp}, Deploys: deploys}
}

// blueGreenDeploy took wall on routers whose slowest lags were reg and rem.
func blueGreenDeploy(wall, reg, rem time.Duration) deployStats {
	return deployStats{Wall: wall, Platform: &platformTime{Staging: msec(300), Start: msec(100), SlowestLag: reg, SlowestRemoval: rem}}
}

var _ = Describe("the figures of a foundation", func() {
	It("sets the verified floor at staging + start + 2 × slowest registration + slowest removal", func() {
		p := platformTime{Staging: msec(300), Start: msec(100), SlowestLag: msec(2000), SlowestRemoval: msec(1500)}
		Expect(p.verifiedFloor()).To(Equal(msec(5900)))
		Expect(p.total()).To(Equal(msec(2400)))
	})

	It("sets blue-green's median deploy time against the median floor", func() {
		rows := []row{oursRow("bluegreen",
			blueGreenDeploy(msec(6000), msec(2000), msec(1000)), // floor 5400
			blueGreenDeploy(msec(7000), msec(2500), msec(1000)), // floor 6400
			blueGreenDeploy(msec(9000), msec(3000), msec(2000)), // floor 7900
		)}
		p, ok := blueGreenOf(rows)
		Expect(ok).To(BeTrue())
		Expect(p.ours).To(Equal(msec(7000)))
		Expect(p.floor).To(Equal(msec(6400)))
		Expect(p.overFloor()).To(BeNumerically("~", 7000.0/6400, 1e-9))
	})

	It("has no blue-green figure without blue-green", func() {
		_, ok := blueGreenOf([]row{oursRow("rolling", deployStats{Wall: msec(1)})})
		Expect(ok).To(BeFalse())
	})

	It("sets ours rolling's median against the cf CLI's on the same foundation", func() {
		rows := []row{
			oursRow("rolling", deployStats{Wall: msec(12000)}, deployStats{Wall: msec(10000)}, deployStats{Wall: msec(14000)}),
			cliRow(deployStats{Wall: msec(10000)}, deployStats{Wall: msec(9000)}, deployStats{Wall: msec(11000)}),
		}
		r, ok := rollingOf(rows)
		Expect(ok).To(BeTrue())
		Expect(r.ratio()).To(BeNumerically("~", 1.2, 1e-9))
		_, ok = rollingOf(rows[:1])
		Expect(ok).To(BeFalse(), "no ratio without the cf CLI's rolling")
	})
})

var _ = Describe("the kinds of foundation", func() {
	It("runs the kinds asked for, in the bench's order, and refuses unknown ones", func() {
		ks, err := parseFoundations("wide,default")
		Expect(err).NotTo(HaveOccurred())
		Expect([]string{ks[0].Name, ks[1].Name}).To(Equal([]string{"default", "wide"}))
		all, err := parseFoundations("")
		Expect(err).NotTo(HaveOccurred())
		Expect(all).To(HaveLen(3))
		_, err = parseFoundations("default,huge")
		Expect(err).To(MatchError(ContainSubstring(`"huge"`)))
	})

	It("draws each kind's lags within its range, a lag per router, the same for the same seed", func() {
		wide := foundationKinds()[2]
		sets := wide.drawLags(42, 10)
		Expect(sets).To(HaveLen(10))
		for _, set := range sets {
			Expect(set).To(HaveLen(4))
			for _, l := range set {
				Expect(l.Registration).To(BeNumerically(">=", wide.LagMin))
				Expect(l.Removal).To(BeNumerically("<=", wide.LagMax))
			}
		}
		Expect(wide.drawLags(42, 10)).To(Equal(sets))
		Expect(foundationKinds()[1].drawLags(42, 10)).NotTo(Equal(foundationKinds()[0].drawLags(42, 10)))
	})

	It("keeps the default kind's draws of the runs before there were kinds", func() {
		def := foundationKinds()[0]
		rng := rand.New(rand.NewPCG(42, 7))
		first := def.LagMin + time.Duration(rng.Int64N(int64(def.LagMax-def.LagMin)+1))
		Expect(def.drawLags(42, 1)[0][0].Registration).To(Equal(first))
	})

	It("puts the floor on the slowest of all the kind's routers", func() {
		reg, rem := slowest([]routerLag{{msec(300), msec(900)}, {msec(2900), msec(400)}, {msec(800), msec(2000)}, {msec(1200), msec(100)}})
		Expect(reg).To(Equal(msec(2900)))
		Expect(rem).To(Equal(msec(2000)))
	})
})
