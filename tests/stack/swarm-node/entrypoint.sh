#!/bin/sh
# Starts dockerd in the foreground: socket in /run/node (mounted by the test), images in the
# /var/lib/docker volume (overlay2 needs a real filesystem under it, not the container's
# overlay). INSECURE_REGISTRY is the manager's registry (host:port) the nodes pull from.
set -eu
mkdir -p /run/node
# Privileged containers see the host's cgroups read-write; nothing else to prepare on v1. On
# cgroup v2, move this process out of the root group so dockerd can enable controllers.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || :
  sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control || :
fi
set -- --host=unix:///run/node/docker.sock --storage-driver=overlay2 "$@"
[ -n "${INSECURE_REGISTRY:-}" ] && set -- "$@" --insecure-registry="$INSECURE_REGISTRY"
# With the host's cgroup tree mounted, the tasks' cgroups go under one folder per node, which
# the test removes with the node.
[ -n "${CGROUP_PARENT:-}" ] && set -- "$@" --cgroup-parent="$CGROUP_PARENT"
exec dockerd "$@"
