# The resource's image: static binaries at /opt/resource on an empty base.
#
# Base images are build args, as in the core Concourse resources. With registry access the
# defaults work as they are. `make image` builds this same file on a machine with neither a
# Docker engine nor a registry: it assembles builder_image locally from the host's Go
# (ci/scripts/go-builder-image.sh) and leaves base_image at scratch, which needs no pull.
ARG builder_image=golang:1.26
ARG base_image=scratch

FROM ${builder_image} AS builder
ENV CGO_ENABLED=0
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The final image's file system, in /out/rootfs. check, in and out are links to one
# multi-call binary: three copies would weigh 28 MB.
RUN mkdir -p /out/rootfs/opt/resource /out/rootfs/etc/ssl/certs \
 && mkdir -m 1777 /out/rootfs/tmp \
 && cp /etc/ssl/certs/ca-certificates.crt /out/rootfs/etc/ssl/certs/ \
 && go build -trimpath -buildvcs=false -ldflags='-s -w' -o /out/rootfs/opt/resource/ \
      ./cmd/cf-bluegreen-resource ./cmd/responder \
 && for name in check in out; do ln -s cf-bluegreen-resource "/out/rootfs/opt/resource/$name"; done
# The test suites, compiled here so that they run inside the final image (target tests).
RUN go build -trimpath -buildvcs=false -o /out/tests/ ./test/apps/versioned github.com/onsi/ginkgo/v2/ginkgo \
 && go test -c -trimpath -buildvcs=false -o /out/tests/integration.test ./test/integration

FROM ${base_image} AS resource
COPY --from=builder /out/rootfs/ /
ENV PATH=/opt/resource

# testsuite: the final image plus the compiled suites, which run the shipped /opt/resource/*.
FROM resource AS testsuite
COPY --from=builder /out/tests/ /tests/
ENV RESOURCE_DIR=/opt/resource VERSIONED_APP=/tests/versioned

# tests: building this target runs the suites inside the image (the pipeline's image-tests).
FROM testsuite AS tests
RUN ["/tests/ginkgo", "--procs=6", "--timeout=20m", "/tests/integration.test"]

FROM resource
