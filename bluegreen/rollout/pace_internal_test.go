package rollout

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = DescribeTable("the new instances at a canary step follow CAPI's step plan",
	func(instances int, weights []int, step, want int) {
		Expect(canaryInstances(instances, weights, step)).To(Equal(want))
	},
	Entry("no steps: one instance", 10, nil, 1, 1),
	Entry("10 instances, 10 %", 10, []int{10, 50, 100}, 1, 1),
	Entry("10 instances, 50 %", 10, []int{10, 50, 100}, 2, 5),
	Entry("10 instances, 100 %", 10, []int{10, 50, 100}, 3, 10),
	Entry("3 instances, 50 %: 1.5 rounds up", 3, []int{50}, 1, 2),
	Entry("2 instances, 10 %: at least one", 2, []int{10}, 1, 1),
)
