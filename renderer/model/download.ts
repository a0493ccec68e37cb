// Saving exported text as a file: a download in the browser; in the Electron app the same
// download opens the system's save dialog (Electron asks where to save a download that has no
// path set), so the renderer needs no channel of its own for it.
export function downloadText(fileName: string, mediaType: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mediaType};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has been handled (the download reads it first).
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
