// One figure of the health or insights view, large, with what it counts under it.
export function FigureCard({ label, value, className = '' }: { label: string; value: string; className?: string }) {
  return (
    <div className={`figure-card ${className}`}>
      <strong>{value}</strong>
      <span>{label}</span>
    </div>
  );
}
