// The recovery wizard for one damaged context, in five steps the person walks with Next and
// Back (or by the step names): what was found, where each record can come from, the repaired
// context previewed, the choice, the result. A repair made on its own opens at its result,
// with the first two steps there to look at and the two it did not need marked as skipped.
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import { PanelDialog } from './PanelDialog.tsx';
import { FoundStep, SourcesStep } from './WizardFoundStep.tsx';
import { ChoiceStep, PreviewStep, ResultStep, WizardError } from './WizardChoiceSteps.tsx';
import type { WizardStep } from '../stores/recoveryStore.ts';

const STEPS: [WizardStep, string][] = [
  [1, 'What was found'],
  [2, 'Where records come from'],
  [3, 'Preview'],
  [4, 'Your choice'],
  [5, 'Result'],
];

const ACT: Record<'repair' | 'restore' | 'leave', string> = { repair: 'Repair now', restore: 'Restore from this backup', leave: 'Leave it as it is' };

export function RecoveryWizard() {
  const { recovery } = useStores();
  const context = useStore(recovery, (s) => s.context);
  const step = useStore(recovery, (s) => s.step);
  const analysis = useStore(recovery, (s) => s.analysis);
  const outcome = useStore(recovery, (s) => s.outcome);
  const automatic = useStore(recovery, (s) => s.automatic);
  const choice = useStore(recovery, (s) => s.choice);
  const working = useStore(recovery, (s) => s.working);
  if (!context) return null;
  const store = recovery.getState();
  const nothingToDo = analysis !== null && !analysis.needsRepair && analysis.ok && !outcome;
  // Once the choice is carried out there is no going back to make it again; a repair made on its own skipped 3 and 4.
  const reachable = (s: WizardStep) => (outcome ? s === 1 || s === 2 || s === 5 : s !== 5 && (!nothingToDo || s === 1));
  const next: WizardStep | null = outcome ? (step === 1 ? 2 : step === 2 ? 5 : null) : step < 4 && !nothingToDo ? ((step + 1) as WizardStep) : null;
  const title = automatic ? `Repaired on its own: ${context}` : `Recovery of ${context}`;

  const footer = (
    <>
      {step > 1 && reachable((step - 1) as WizardStep) && (
        <button type="button" onClick={() => store.goTo((step - 1) as WizardStep)}>
          Back
        </button>
      )}
      {next !== null && (
        <button type="button" className="primary" disabled={!analysis} onClick={() => store.goTo(next)}>
          Next
        </button>
      )}
      {step === 4 && !outcome && (
        <button type="button" className="primary" disabled={working} onClick={() => void store.apply()}>
          {working ? 'Working…' : ACT[choice.action]}
        </button>
      )}
      {(step === 5 || nothingToDo) && (
        <button type="button" className="primary" onClick={() => store.close()}>
          Done
        </button>
      )}
    </>
  );

  return (
    <PanelDialog label="Recovery wizard" title={title} onClose={() => store.close()} footer={footer}>
      <ol className="wizard-steps" aria-label="Steps">
        {STEPS.map(([n, name]) => (
          <li key={n} aria-current={step === n ? 'step' : undefined} className={automatic && (n === 3 || n === 4) ? 'skipped' : undefined}>
            {reachable(n) && step !== n ? (
              <button type="button" className="link" onClick={() => store.goTo(n)}>
                {n}. {name}
              </button>
            ) : (
              `${n}. ${name}`
            )}
          </li>
        ))}
      </ol>
      <WizardError />
      {!analysis && working && <p className="muted">Looking at {context}…</p>}
      {analysis && step === 1 && <FoundStep analysis={analysis} />}
      {analysis && step === 2 && <SourcesStep analysis={analysis} />}
      {analysis && step === 3 && <PreviewStep analysis={analysis} />}
      {analysis && step === 4 && <ChoiceStep analysis={analysis} />}
      {step === 5 && <ResultStep />}
    </PanelDialog>
  );
}
