// The knowledge-graph tools of the reference server (@modelcontextprotocol/server-memory), with
// its names, arguments and result shapes, on our engine: each call is one transaction (a bad
// item refuses the whole call, changing nothing), metadata is kept and returned, and things
// already there (or already gone) are skipped, as the reference server skips them, so a retried
// call changes nothing more.
import { z } from 'zod';
import { EngineError } from '../core/errors.ts';
import { entityKey, parseValue, relationKey, type StoredRecord } from '../core/records.ts';
import type { RecordSet } from '../core/recordSet.ts';
import { addRelation, readGraph, requireObservation, setEntity, toGraphEntity, toGraphRelation, withObservations, type Graph, type GraphEntity, type GraphRelation } from '../core/knowledgeGraph.ts';
import { defineTool, strictItem, type AnyToolSpec } from './toolRegistry.ts';

// Field descriptions as the reference server gives them.
const entityInput = strictItem({
  name: z.string().describe('The name of the entity'),
  entityType: z.string().describe('The type of the entity'),
  observations: z.array(z.string()).describe('An array of observation contents associated with the entity'),
});
const relationInput = strictItem({
  from: z.string().describe('The name of the entity where the relation starts'),
  to: z.string().describe('The name of the entity where the relation ends'),
  relationType: z.string().describe('The type of the relation'),
});

const metadata = z.record(z.string(), z.unknown()).optional();
const entityOutput = z.object({ name: z.string(), entityType: z.string(), observations: z.array(z.string()), metadata });
const relationOutput = z.object({ from: z.string(), to: z.string(), relationType: z.string(), metadata });
const alreadyApplied = z.boolean().optional().describe('True when this operationId was applied before: nothing was done again.');
const graphOutput = { entities: z.array(entityOutput), relations: z.array(relationOutput) };
const doneOutput = { success: z.boolean(), message: z.string(), alreadyApplied };

const retried = (duplicate: boolean) => (duplicate ? { alreadyApplied: true } : {});

/** Items of one call grouped by entity, in first-seen order (one entity named twice is one change). */
function byEntity<T>(items: readonly T[], name: (item: T) => string, values: (item: T) => readonly string[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const item of items) grouped.set(name(item), [...(grouped.get(name(item)) ?? []), ...values(item)]);
  return grouped;
}

function observationsOf(record: StoredRecord): unknown[] {
  const value = parseValue(record).observations;
  return Array.isArray(value) ? value : [];
}

/** The reference server's search: name, type or an observation contains the query, case-insensitively. */
function searchGraph(state: RecordSet, query: string): Graph {
  const wanted = query.toLowerCase();
  // The line's text is a cheap first filter unless JSON escapes could hide a match.
  const textFilter = ![...wanted].some((c) => c === '"' || c === '\\' || c < ' ');
  const entities: GraphEntity[] = [];
  for (const record of state.values()) {
    if (record.kind !== 'entity') continue;
    if (textFilter && !record.raw.includes('\\') && !record.raw.toLowerCase().includes(wanted)) continue;
    const entity = toGraphEntity(record);
    const matches = [entity.name, entity.entityType, ...entity.observations].some((text) => typeof text === 'string' && text.toLowerCase().includes(wanted));
    if (matches) entities.push(entity);
  }
  return { entities, relations: relationsTouching(state, entities.map((e) => e.name)) };
}

/** The named entities that exist, and every relation with at least one end among them (as the reference server answers open_nodes). */
function openNodes(state: RecordSet, names: readonly string[]): Graph {
  const entities: GraphEntity[] = [];
  for (const name of new Set(names)) {
    const record = state.get(entityKey(name));
    if (record) entities.push(toGraphEntity(record));
  }
  return { entities, relations: relationsTouching(state, entities.map((e) => e.name)) };
}

function relationsTouching(state: RecordSet, names: readonly string[]): GraphRelation[] {
  const seen = new Set<string>();
  const relations: GraphRelation[] = [];
  for (const name of names) {
    for (const key of state.relationKeysOf(name)) {
      const record = state.get(key);
      if (!record || seen.has(key)) continue;
      seen.add(key);
      relations.push(toGraphRelation(record));
    }
  }
  return relations;
}

export const graphTools: readonly AnyToolSpec[] = [
  defineTool({
    name: 'create_entities',
    description: 'Create entities (name, entityType, observations). A name that already exists is left as it is. Returns the entities created.',
    arguments: { entities: z.array(entityInput).describe('The entities to create') },
    scope: 'context',
    writes: true,
    idempotent: true,
    output: { entities: z.array(entityOutput), alreadyApplied },
    async run({ entities }, { env, context, op }) {
      let created: GraphEntity[] = [];
      const result = await env.engine.transact(context, (state) => {
        created = [];
        const puts: StoredRecord[] = [];
        const names = new Set<string>();
        for (const input of entities) {
          if (names.has(input.name) || state.has(entityKey(input.name))) continue;
          names.add(input.name);
          const record = setEntity(state, input).puts[0];
          if (record) {
            puts.push(record);
            created.push(toGraphEntity(record));
          }
        }
        return { puts, deletes: [] };
      }, { op });
      return { entities: result.duplicate ? [] : created, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'create_relations',
    description: 'Create relations (from, to, relationType; relationType in active voice, e.g. "contains"). One that already exists is left as it is. Returns the relations created.',
    arguments: { relations: z.array(relationInput).describe('The relations to create') },
    scope: 'context',
    writes: true,
    idempotent: true,
    output: { relations: z.array(relationOutput), alreadyApplied },
    async run({ relations }, { env, context, op }) {
      let created: GraphRelation[] = [];
      const result = await env.engine.transact(context, (state) => {
        created = [];
        const puts: StoredRecord[] = [];
        const keys = new Set<string>();
        for (const input of relations) {
          const key = relationKey(input.from, input.to, input.relationType);
          if (keys.has(key) || state.has(key)) continue;
          keys.add(key);
          const record = addRelation(state, input).puts[0];
          if (record) {
            puts.push(record);
            created.push(toGraphRelation(record));
          }
        }
        return { puts, deletes: [] };
      }, { op });
      return { relations: result.duplicate ? [] : created, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'add_observations',
    description: 'Add observations to existing entities; ones an entity already has are skipped. If an entity does not exist, nothing is changed. Returns what was added to each.',
    arguments: {
      observations: z.array(
        strictItem({
          entityName: z.string().describe('The name of the entity to add the observations to'),
          contents: z.array(z.string()).describe('An array of observation contents to add'),
        }),
      ).describe('Per entity, the observations to add'),
    },
    scope: 'context',
    writes: true,
    idempotent: true,
    output: { results: z.array(z.object({ entityName: z.string(), addedObservations: z.array(z.string()) })), alreadyApplied },
    async run({ observations }, { env, context, op }) {
      let results: { entityName: string; addedObservations: string[] }[] = [];
      const result = await env.engine.transact(context, (state) => {
        results = [];
        const puts: StoredRecord[] = [];
        // Each as create_entities takes one (it stored empty, blank, NUL-holding and oversized text).
        observations.forEach((o, i) => o.contents.forEach((text, j) => requireObservation(text, `observations[${i}].contents[${j}]`)));
        for (const [name, contents] of byEntity(observations, (o) => o.entityName, (o) => o.contents)) {
          const record = state.get(entityKey(name));
          if (!record) throw new EngineError('NOT_FOUND', `No entity named ${JSON.stringify(name)} in context ${context} (create it with create_entities).`);
          const current = observationsOf(record);
          const added = [...new Set(contents)].filter((text) => !current.includes(text));
          results.push({ entityName: name, addedObservations: added });
          if (added.length > 0) puts.push(withObservations(record, [...current, ...added]));
        }
        return { puts, deletes: [] };
      }, { op });
      return { results: result.duplicate ? [] : results, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'delete_entities',
    description: 'Delete entities and every relation touching them; names not found are skipped. Only the named entities go: remove_action_step removes a step with its sub-charts.',
    arguments: { entityNames: z.array(z.string()).describe('An array of entity names to delete') },
    scope: 'context',
    writes: true,
    destructive: true,
    idempotent: true,
    output: doneOutput,
    async run({ entityNames }, { env, context, op }) {
      const missing = new Set<string>();
      const deleted = new Set<string>();
      const result = await env.engine.transact(context, (state) => {
        missing.clear();
        deleted.clear();
        const deletes = new Set<string>();
        for (const name of entityNames) {
          if (!state.has(entityKey(name))) {
            missing.add(name);
            continue;
          }
          // A name given twice is one entity deleted.
          deleted.add(name);
          deletes.add(entityKey(name));
          for (const key of state.relationKeysOf(name)) deletes.add(key);
        }
        return { puts: [], deletes: [...deletes] };
      }, { op });
      const message = result.duplicate ? 'Already applied (operationId seen before)' : `Deleted ${deleted.size} entities${missing.size ? `; not found: ${[...missing].join(', ')}` : ''}`;
      return { success: true, message, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'delete_observations',
    description: 'Delete observations from entities; observations or entities not found are skipped.',
    arguments: {
      deletions: z.array(
        strictItem({
          entityName: z.string().describe('The name of the entity containing the observations'),
          observations: z.array(z.string()).describe('An array of observations to delete'),
        }),
      ).describe('Per entity, the observations to delete'),
    },
    scope: 'context',
    writes: true,
    destructive: true,
    idempotent: true,
    output: doneOutput,
    async run({ deletions }, { env, context, op }) {
      let removed = 0;
      const result = await env.engine.transact(context, (state) => {
        removed = 0;
        const puts: StoredRecord[] = [];
        for (const [name, unwanted] of byEntity(deletions, (d) => d.entityName, (d) => d.observations)) {
          const record = state.get(entityKey(name));
          if (!record) continue;
          const current = observationsOf(record);
          const kept = current.filter((text) => !unwanted.includes(text as string));
          if (kept.length === current.length) continue;
          removed += current.length - kept.length;
          puts.push(withObservations(record, kept));
        }
        return { puts, deletes: [] };
      }, { op });
      return { success: true, message: result.duplicate ? 'Already applied (operationId seen before)' : `Deleted ${removed} observations`, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'delete_relations',
    description: 'Delete relations (matched by from, to and relationType); ones not found are skipped.',
    arguments: { relations: z.array(relationInput).describe('An array of relations to delete') },
    scope: 'context',
    writes: true,
    destructive: true,
    idempotent: true,
    output: doneOutput,
    async run({ relations }, { env, context, op }) {
      let deleted = 0;
      const result = await env.engine.transact(context, (state) => {
        const keys = new Set(relations.map((r) => relationKey(r.from, r.to, r.relationType)).filter((key) => state.has(key)));
        deleted = keys.size;
        return { puts: [], deletes: [...keys] };
      }, { op });
      return { success: true, message: result.duplicate ? 'Already applied (operationId seen before)' : `Deleted ${deleted} relations`, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'read_graph',
    description: 'Every entity and relation of the context, with metadata. Large on big files: list_active_charts or search_nodes answer most questions.',
    arguments: {},
    scope: 'context',
    writes: false,
    output: graphOutput,
    async run(_args, { env, context }) {
      return { ...(await env.engine.read(context, (state) => readGraph(state))) };
    },
  }),

  defineTool({
    name: 'search_nodes',
    description: 'Entities whose name, type or an observation contains the query (ignoring case), and the relations touching them.',
    arguments: { query: z.string().describe('The search query to match against entity names, types, and observation content') },
    scope: 'context',
    writes: false,
    output: graphOutput,
    async run({ query }, { env, context }) {
      return { ...(await env.engine.read(context, (state) => searchGraph(state, query))) };
    },
  }),

  defineTool({
    name: 'open_nodes',
    description: 'The named entities (names not found are skipped) and the relations touching them.',
    arguments: { names: z.array(z.string()).describe('An array of entity names to retrieve') },
    scope: 'context',
    writes: false,
    output: graphOutput,
    async run({ names }, { env, context }) {
      return { ...(await env.engine.read(context, (state) => openNodes(state, names))) };
    },
  }),
];
