// A contract error in plain words, where the failed action was asked for.
import type { IpcError } from '../../shared/contract.ts';
import { plainError } from '../model/plainError.ts';

export function ErrorMessage({ error }: { error: IpcError }) {
  const plain = plainError(error);
  return (
    <div className="error" role="alert">
      <strong>{plain.heading}</strong>
      {plain.lines.map((line, i) => (
        <div key={i}>{line}</div>
      ))}
    </div>
  );
}
