// Search as you type, across every context (charts.search); Escape clears.
import { forwardRef, useEffect, useState } from 'react';
import { useStores } from './StoresProvider.tsx';

export const SEARCH_DEBOUNCE_MS = 150;

export const SearchBox = forwardRef<HTMLInputElement>(function SearchBox(_props, ref) {
  const { charts } = useStores();
  const [text, setText] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => void charts.getState().search(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, charts]);
  return (
    <input
      ref={ref}
      type="search"
      className="search"
      aria-label="Search charts in all contexts"
      placeholder="Search all contexts (/)"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setText('');
      }}
    />
  );
});
