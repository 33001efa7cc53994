# Container recipe: a release build of immunoprofile on a slim Debian base.
#   docker build -t immunoprofile:0.1.0 .
#   docker run --rm -v "$PWD":/data -w /data immunoprofile:0.1.0 immunoprofile --help
# The Nextflow `docker` profile uses this tag (workflows/nextflow/nextflow.config).
FROM rust:1.95-slim-bookworm AS build
# rust-htslib builds htslib from source: compression headers, and libclang for bindgen.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libclang-dev clang make zlib1g-dev libbz2-dev liblzma-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo install --locked --root /opt/immunoprofile --path .

FROM debian:bookworm-slim
# procps: Nextflow reads task metrics with `ps`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g libbz2-1.0 liblzma5 procps \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/immunoprofile/bin/immunoprofile /usr/local/bin/immunoprofile
COPY LICENSE /usr/share/doc/immunoprofile/LICENSE
RUN immunoprofile --version
ENTRYPOINT []
CMD ["immunoprofile", "--help"]
