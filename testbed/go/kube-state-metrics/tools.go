//go:build tools

// Package tools pins the kube-state-metrics main package bench:real builds: the peer whose
// cluster metrics the agent's incident gauges replace, measured beside it in one run.
package tools

import _ "k8s.io/kube-state-metrics/v2"
