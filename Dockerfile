# The sandbank image, built from source: `docker build .` (needs a registry
# for the golang base image). Machines without a registry build the same
# image from a host-built binary with `make docker` (Dockerfile.local); keep
# the two final stages in step (TestDockerfilesAgree in testcontainers/ checks).
#
#   docker build -t sandbank --build-arg VERSION=v1.2.3 --build-arg REVISION=$(git rev-parse HEAD) .
#   docker run --rm -p 8080:8080 sandbank

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Dependencies first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG REVISION=
# Static (no cgo) and stripped: the final stage has no libc.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${REVISION}" \
      -o /rootfs/sandbank ./cmd/sandbank \
 && mkdir -p /rootfs/etc/ssl/certs \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && echo 'sandbank:x:65532:65532:sandbank:/:/sbin/nologin' > /rootfs/etc/passwd \
 && echo 'sandbank:x:65532:' > /rootfs/etc/group

# No shell, no libc, no package manager: the binary, CA roots (webhook URLs
# may be https) and a passwd entry for the non-root user. No zoneinfo: the
# code loads no time zone by name (BRT is a fixed offset).
FROM scratch
ARG VERSION=dev
ARG REVISION=
LABEL org.opencontainers.image.title="sandbank" \
      org.opencontainers.image.description="A bank and payment-provider simulator with fault injection" \
      org.opencontainers.image.source="https://github.com/sandbank/sandbank" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /rootfs/etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /rootfs/etc/passwd /etc/passwd
COPY --from=build /rootfs/etc/group /etc/group
COPY --from=build /rootfs/sandbank /sandbank
USER 65532:65532
EXPOSE 8080
# serve drains in-flight requests on SIGTERM and exits 0.
STOPSIGNAL SIGTERM
# The image has no curl: the binary checks itself (SANDBANK_ADDR if set,
# else 127.0.0.1:8080).
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 CMD ["/sandbank", "healthcheck"]
ENTRYPOINT ["/sandbank"]
CMD ["serve", "--addr", ":8080"]
