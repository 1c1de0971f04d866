// Command etcd is the stock etcd server (go.etcd.io/etcd/server/v3/etcdmain), built from a
// pinned module version for the ci-pod-webhook end-to-end tests.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
