// A race writer (test/races/raceSupport.ts) that is our MCP server in its own process, driven
// by the SDK's client as an assistant drives it: it creates charts, completes a step of each,
// adds a telescoped step to every third, and creates a plain entity, back to back. Every call
// the server answered without an error is an acknowledged write, looked for at the end.
import { sleep } from '../torture/support.ts';
import type { Acknowledged, RaceWriter } from '../races/raceSupport.ts';
import { startTensionMcp } from './mcpClients.ts';

export async function startTensionMcpLoop(config: { data: string; context: string; label: string; prefix: string; intervalMs: number }): Promise<RaceWriter> {
  const server = await startTensionMcp(['--data', config.data, '--context', config.context], config.label);
  let stopping = false;
  const writer: RaceWriter = {
    name: config.label,
    acknowledged: [],
    deleted: new Set(),
    errors: [],
    async stop() {
      stopping = true;
      await loop;
      await server.close();
    },
  };
  const ack = (what: string, present: Acknowledged['present']) => writer.acknowledged.push({ what, present });
  const loop = (async () => {
    for (let i = 1; !stopping; i += 1) {
      try {
        const { chartId } = await server.call<{ chartId: string }>('create_structural_tension_chart', {
          desiredOutcome: `${config.label} outcome ${i}`,
          currentReality: `${config.label} reality ${i}`,
          dueDate: '2027-06-30',
          actionSteps: [`${config.label} step ${i}a`, `${config.label} step ${i}b`],
        });
        ack(`${chartId} (chart)`, (entities) => entities.has(`${chartId}_chart`) && entities.has(`${chartId}_desired_outcome`) && entities.has(`${chartId}_action_2`));
        const step = `${chartId}_action_1`;
        await server.call('mark_action_complete', { actionStepName: step });
        ack(`${step} completed`, (entities) => entities.get(step)?.metadata.completionStatus === true);
        if (i % 3 === 0) {
          const added = await server.call<{ chartId: string; actionStepName: string }>('add_action_step', { parentChartId: chartId, actionStepTitle: `${config.label} added ${i}`, currentReality: `Not begun ${i}` });
          ack(`${added.actionStepName} with sub-chart ${added.chartId}`, (entities) => entities.has(added.actionStepName) && entities.get(`${added.chartId}_chart`)?.metadata.parentActionStep === added.actionStepName);
        }
        const name = `${config.prefix}_${i}`;
        const created = await server.call<{ entities: { name: string }[] }>('create_entities', { entities: [{ name, entityType: 'race', observations: [`written by ${config.label}, call ${i}`] }] });
        if (created.entities.some((e) => e.name === name)) ack(name, (entities) => entities.has(name));
      } catch (error) {
        writer.errors.push(String(error));
      }
      if (config.intervalMs > 0) await sleep(config.intervalMs);
    }
  })();
  return writer;
}
