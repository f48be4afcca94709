/**
 * MongoDB wire protocol over TCP: the legacy OP_QUERY handshake answered with OP_REPLY, then OP_MSG (body and
 * document-sequence sections, CRC-32C checksums, moreToCome = no reply). Messages of one connection are handled in order.
 */
import net from 'node:net';
import { BSON, type Document } from 'bson';
import { Codes, ServerError } from './errors.js';
import { MAX_BSON_INTERNAL, MAX_MESSAGE_SIZE, type Engine } from './engine.js';
import { MAX_BSON_SIZE } from './collection.js';
import { crc32c } from './storage.js';
import { decodeDocument } from './decode.js';
import { CLOSE_CONNECTION } from './failpoints.js';

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const OP_COMPRESSED = 2012;
const CHECKSUM_PRESENT = 1;
const MORE_TO_COME = 2;

const DESER = { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: false, validation: { utf8: false } } as const;

export type Logger = (msg: string, extra?: object) => void;

let requestCounter = 1;

export function createWireServer(engine: Engine, log: Logger): net.Server {
  let connectionCounter = 0;
  const server = net.createServer((socket) => {
    const connectionId = ++connectionCounter;
    engine.counters.connectionsCurrent++;
    engine.counters.connectionsTotal++;
    socket.once('close', () => {
      engine.counters.connectionsCurrent--;
      engine.connectionClosed(connectionId);
    });
    socket.setNoDelay(true);
    let chunks: Buffer[] = [];
    let buffered = 0;
    let chain: Promise<void> = Promise.resolve();
    socket.on('data', (data) => {
      engine.counters.bytesIn += data.length;
      chunks.push(data);
      buffered += data.length;
      while (buffered >= 4) {
        if (chunks[0].length < 4) chunks = [Buffer.concat(chunks)];
        const len = chunks[0].readInt32LE(0);
        if (len < 16 || len > MAX_MESSAGE_SIZE + 1024 * 1024) {
          log('embedded engine: invalid message length, closing connection', { connectionId, len });
          socket.destroy();
          return;
        }
        if (buffered < len) break;
        const head = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        const msg = head.subarray(0, len);
        const rest = head.subarray(len);
        chunks = rest.length ? [rest] : [];
        buffered = rest.length;
        chain = chain.then(() => handleMessage(engine, msg, connectionId, socket, log)).catch((e) => {
          log('embedded engine: connection error', { connectionId, error: String(e) });
          socket.destroy();
        });
      }
    });
    socket.on('error', () => socket.destroy());
  });
  return server;
}

async function handleMessage(engine: Engine, msg: Buffer, connectionId: number, socket: net.Socket, log: Logger): Promise<void> {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  if (opCode === OP_QUERY) {
    let off = 20;
    const nsEnd = msg.indexOf(0, off);
    const ns = msg.toString('utf8', off, nsEnd);
    off = nsEnd + 1 + 8; // skip numberToSkip, numberToReturn
    const docLen = msg.readInt32LE(off);
    let cmd = BSON.deserialize(msg.subarray(off, off + docLen), DESER);
    if (cmd.$query && typeof cmd.$query === 'object') cmd = cmd.$query;
    const db = ns.endsWith('.$cmd') ? ns.slice(0, -5) : ns.split('.')[0];
    cmd.$db = db;
    const reply = await engine.run(cmd, { connectionId });
    if ((reply as { [CLOSE_CONNECTION]?: boolean })[CLOSE_CONNECTION]) return void socket.destroy();
    if (!socket.destroyed) socket.write(count(engine, opReply(reply, requestId)));
    return;
  }
  if (opCode === OP_COMPRESSED) throw new Error('compression was not negotiated');
  if (opCode !== OP_MSG) throw new Error(`unsupported opCode ${opCode}`);
  const flags = msg.readUInt32LE(16);
  let end = msg.length;
  if (flags & CHECKSUM_PRESENT) {
    end -= 4;
    const expected = msg.readUInt32LE(end);
    if (crc32c(msg, 0, end) !== expected) throw new Error('OP_MSG checksum mismatch');
  }
  let body: Document | null = null;
  const sequences: Array<[string, Document[]]> = [];
  let tooLarge: ServerError | null = null;
  let off = 20;
  while (off < end) {
    const kind = msg[off++];
    if (kind === 0) {
      const len = msg.readInt32LE(off);
      body = BSON.deserialize(msg.subarray(off, off + len), DESER);
      off += len;
    } else if (kind === 1) {
      const size = msg.readInt32LE(off);
      const secEnd = off + size;
      const idEnd = msg.indexOf(0, off + 4);
      const id = msg.toString('utf8', off + 4, idEnd);
      let p = idEnd + 1;
      const docs: Document[] = [];
      while (p < secEnd) {
        const len = msg.readInt32LE(p);
        if (len > MAX_BSON_INTERNAL && !tooLarge)
          tooLarge = new ServerError(
            Codes.Location10334,
            `BSONObj size: ${len} (0x${len.toString(16).toUpperCase()}) is invalid. Size must be between 0 and ${MAX_BSON_INTERNAL}(16MB)`,
          );
        // documents with shared shapes (decode.ts): compact in memory, decoded faster than by js-bson
        if (!tooLarge) docs.push(decodeDocument(msg, p, len, DESER));
        p += len;
      }
      sequences.push([id, docs]);
      off = secEnd;
    } else throw new Error(`unknown OP_MSG section kind ${kind}`);
  }
  if (!body) throw new Error('OP_MSG without body');
  for (const [id, docs] of sequences) body[id] = docs;
  let reply: Document;
  if (tooLarge) reply = tooLarge.toReply();
  else reply = await engine.run(body, { connectionId, largeMessage: msg.length > MAX_BSON_SIZE });
  if ((reply as { [CLOSE_CONNECTION]?: boolean })[CLOSE_CONNECTION]) return void socket.destroy();
  if (flags & MORE_TO_COME) return;
  if (reply.ok === 0 && reply.code === Codes.InternalError) log('embedded engine: internal error', { error: reply.errmsg });
  if (!socket.destroyed) socket.write(count(engine, opMsg(reply, requestId)));
}

function count(engine: Engine, buf: Buffer): Buffer {
  engine.counters.bytesOut += buf.length;
  return buf;
}

function header(len: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(16);
  h.writeInt32LE(len, 0);
  h.writeInt32LE(requestCounter++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

function serializeReply(reply: Document): Uint8Array {
  try {
    return BSON.serialize(reply, { ignoreUndefined: true });
  } catch (e) {
    return BSON.serialize(new ServerError(Codes.InternalError, `failed to encode reply: ${(e as Error).message}`).toReply());
  }
}

function opMsg(reply: Document, responseTo: number): Buffer {
  const doc = serializeReply(reply);
  const len = 16 + 4 + 1 + doc.length;
  const flags = Buffer.alloc(5);
  return Buffer.concat([header(len, responseTo, OP_MSG), flags, doc]);
}

function opReply(reply: Document, responseTo: number): Buffer {
  const doc = serializeReply(reply);
  const len = 16 + 20 + doc.length;
  const fixed = Buffer.alloc(20);
  fixed.writeInt32LE(8, 0); // AwaitCapable
  // cursorID 0 (8 bytes), startingFrom 0
  fixed.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([header(len, responseTo, OP_REPLY), fixed, doc]);
}
