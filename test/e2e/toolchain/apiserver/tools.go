//go:build tools

// Package tools records k8s.io/kubernetes/cmd/kube-apiserver as a dependency of this
// module so that `go build k8s.io/kubernetes/cmd/kube-apiserver` resolves against go.mod.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
