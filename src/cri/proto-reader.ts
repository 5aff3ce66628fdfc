// A cursor over one protobuf message that reads fields in place: no Map, no field objects and no
// Buffer view per field, and varints as plain numbers. The generic reader (protobuf.ts) allocates
// all of those per field, which made a 300-container listing cost ~8 ms of the worker's
// interpreter-only CPU, and the remover lists containers before every removal round trip
// (docs/worker.md, "Containers on the node").
export class ProtoReader {
  readonly #buffer: Buffer;
  readonly #start: number;
  readonly #end: number;
  #offset: number;
  /** The field number and wire type of the field last read by next(). */
  field = 0;
  wireType = 0;

  constructor(buffer: Buffer, start = 0, end = buffer.length) {
    this.#buffer = buffer;
    this.#start = start;
    this.#offset = start;
    this.#end = end;
  }

  /** Goes back to the message's first field. */
  rewind(): void {
    this.#offset = this.#start;
  }

  /** Moves to the next field; false at the end of the message. */
  next(): boolean {
    if (this.#offset >= this.#end) return false;
    const key = this.varint();
    this.field = Math.floor(key / 8);
    this.wireType = key % 8;
    return true;
  }

  /** A varint as a number: exact up to 2^53, beyond any length, enum or count the CRI sends. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.#offset >= this.#end) throw new Error("protobuf: truncated varint");
      const byte = this.#buffer[this.#offset++] ?? 0;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  }

  /** The current length-delimited field as UTF-8 text. */
  string(): string {
    const [start, end] = this.#span();
    return this.#buffer.toString("utf8", start, end);
  }

  /** A reader over the current length-delimited field (a nested message). */
  message(): ProtoReader {
    const [start, end] = this.#span();
    return new ProtoReader(this.#buffer, start, end);
  }

  /** Skips the current field's value. */
  skip(): void {
    if (this.wireType === 0) this.varint();
    else if (this.wireType === 2) this.#span();
    else if (this.wireType === 1) this.#advance(8);
    else if (this.wireType === 5) this.#advance(4);
    else throw new Error(`protobuf: unsupported wire type ${this.wireType}`);
  }

  #span(): [number, number] {
    if (this.wireType !== 2) throw new Error(`protobuf: field ${this.field} is not length-delimited`);
    const length = this.varint();
    const start = this.#offset;
    this.#advance(length);
    return [start, start + length];
  }

  #advance(bytes: number): void {
    if (this.#offset + bytes > this.#end) throw new Error("protobuf: truncated field");
    this.#offset += bytes;
  }
}
