// Results that are large come as artifacts: fetched over HTTP by content hash.
import type { CommonArtifactRef, GraphDocument } from '../generated/schemas';
import type { RpcClient } from './rpc';
import type { IrOp } from '../passes/linking';

export class ArtifactFetcher {
  constructor(private readonly origin: string, private readonly token: () => string) {}

  async text(ref: CommonArtifactRef): Promise<string> {
    const res = await fetch(`${this.origin}/artifacts/${ref.hash}`, { headers: { Authorization: `Bearer ${this.token()}` } });
    if (!res.ok) throw new Error(`artifact ${ref.hash.slice(0, 12)}: HTTP ${res.status}`);
    return res.text();
  }

  async bytes(ref: CommonArtifactRef): Promise<ArrayBuffer> {
    const res = await fetch(`${this.origin}/artifacts/${ref.hash}`, { headers: { Authorization: `Bearer ${this.token()}` } });
    if (!res.ok) throw new Error(`artifact ${ref.hash.slice(0, 12)}: HTTP ${res.status}`);
    return res.arrayBuffer();
  }
}

export async function fetchGraph(client: RpcClient, artifacts: ArtifactFetcher, params: { model: string; compile?: string; after?: string }): Promise<GraphDocument> {
  const result = await client.call('model/graph', params);
  if (result.graph) return result.graph as unknown as GraphDocument;
  if (result.artifact) return JSON.parse(await artifacts.text(result.artifact)) as GraphDocument;
  throw new Error('model/graph returned neither a graph nor an artifact');
}

export async function fetchIr(client: RpcClient, artifacts: ArtifactFetcher, compile: string, pass: number): Promise<{ ir: string; ops: IrOp[] }> {
  const result = await client.call('compile/ir', { compile, pass });
  const ir = result.ir ?? (result.artifact ? await artifacts.text(result.artifact) : '');
  return { ir, ops: result.ops ?? [] };
}
