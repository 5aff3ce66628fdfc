// Stands in for @grpc/proto-loader in the worker's bundle (scripts/build.ts). grpc-js requires
// proto-loader (and with it protobufjs: 138 KB of the bundle) only to serve channelz and ORCA,
// which a CRI client never uses; its .proto files are not bundled either, so the real loader could
// not work here. Failing loudly beats carrying 138 KB that every worker start reads and keeps.
export function loadSync(): never {
  throw new Error("@grpc/proto-loader is not bundled into eraser-worker: grpc-js asked for it to serve channelz or ORCA, which the worker does not use");
}
