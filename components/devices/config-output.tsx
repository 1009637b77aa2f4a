'use client';
import { useEffect, useState } from 'react';
import dynamic from 'next/dynamic';
import { qrAdvice } from '@/lib/core/wireguard/qr';
import { Button } from '@/components/ui/button';
import { useDnsZone } from '@/components/shell/providers';
import { Copyable } from '@/components/ui/copy';

// Loaded when a config is first shown, not with the page: the page is interactive sooner.
const QRCodeSVG = dynamic(() => import('qrcode.react').then((m) => m.QRCodeSVG), {
  ssr: false,
  loading: () => <div aria-busy="true" className="aspect-square w-full animate-pulse rounded-md bg-slate-100 ring-1 ring-slate-200" />,
});

type Props = {
  /** The complete wg-quick text, private key included: it exists only in this page. */
  text: string;
  fileName: string;
  /** How many [Peer] sections: used to explain in words why a config does not fit a QR code. */
  hostCount: number;
  /** Phones scan a device's config; a server's config is a file to copy. */
  forPhones?: boolean;
  /** The browser keeps the private key (IndexedDB): leaving the page loses nothing, so no guard. */
  keyKept?: boolean;
};

/** The download and the QR code of one config, both of exactly the same text. */
export function ConfigOutput({ text, fileName, hostCount, forPhones = true, keyKept = false }: Props) {
  const advice = qrAdvice(text, hostCount);
  const [downloaded, setDownloaded] = useState(false);

  // Until the file is saved, leaving the page would lose the private key: ask first, on a
  // reload or a closed tab (beforeunload) and on a link inside the app, which Next follows
  // without unloading the page. Captured at the document, before Link's own handler.
  useEffect(() => {
    if (downloaded || keyKept) return;
    const warn = (e: BeforeUnloadEvent) => { e.preventDefault(); e.returnValue = ''; };
    const guardLinks = (e: MouseEvent) => {
      const link = (e.target as Element | null)?.closest?.('a[href]');
      if (!link || link.hasAttribute('download') || e.defaultPrevented) return;
      if (window.confirm('The private key of this config exists only in this page. Unless you downloaded the file or scanned the QR code, leaving loses it. Leave?')) return;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener('beforeunload', warn);
    document.addEventListener('click', guardLinks, true);
    return () => {
      window.removeEventListener('beforeunload', warn);
      document.removeEventListener('click', guardLinks, true);
    };
  }, [downloaded, keyKept]);

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setDownloaded(true);
  }

  return (
    <div className="grid gap-5 md:grid-cols-[minmax(0,18rem)_1fr]">
      {forPhones && (
        <div>
          {advice.fits ? (
            <figure className="mx-auto w-full max-w-72">
              <QRCodeSVG value={text} level={advice.level} size={288} marginSize={4} title={`WireGuard config ${fileName}`}
                data-testid="config-qr" className="h-auto w-full rounded-md ring-1 ring-slate-200" />
              <figcaption className="mt-2 text-center text-xs text-slate-500">Scan with the WireGuard app: + → Create from QR code</figcaption>
            </figure>
          ) : (
            <p role="status" data-testid="qr-too-large" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200">
              No QR code: {advice.message}
            </p>
          )}
        </div>
      )}
      <div className="min-w-0 space-y-3 text-sm">
        <div className="flex flex-wrap items-center gap-3">
          <Button onClick={download}>Download {fileName}</Button>
          {downloaded && <span role="status" className="text-emerald-700">Saved. Keep the file private: it holds the key.</span>}
        </div>
        <LinuxAdvice fileName={fileName} text={text} />
        <details className="rounded-md ring-1 ring-slate-200">
          <summary className="cursor-pointer px-3 py-2 font-medium text-slate-700">Show the config text</summary>
          <pre data-testid="config-text" className="overflow-x-auto border-t border-slate-200 bg-slate-50 p-3 font-mono text-xs leading-5">{text}</pre>
        </details>
      </div>
    </div>
  );
}

/** How to bring the file up with wg-quick, and what its DNS line needs on Linux. */
function LinuxAdvice({ fileName, text }: { fileName: string; text: string }) {
  const zone = useDnsZone();
  const iface = fileName.replace(/\.conf$/, '');
  const resolver = /^DNS = ([^,\n]+)/m.exec(text)?.[1];
  return (
    <details data-testid="linux-advice" className="rounded-md ring-1 ring-slate-200">
      <summary className="cursor-pointer px-3 py-2 font-medium text-slate-700">On Linux (wg-quick)</summary>
      <div className="space-y-2 border-t border-slate-200 p-3 text-slate-600">
        <Copyable value={`sudo install -m 600 ${fileName} /etc/wireguard/ && sudo wg-quick up ${iface}`} label="the wg-quick commands" />
        {resolver && (
          <>
            <p>
              The file&apos;s <code className="font-mono text-xs">DNS</code> line needs resolvconf (Debian, Ubuntu:{' '}
              <code className="font-mono text-xs">sudo apt install openresolv</code>) or systemd-resolved, or wg-quick up fails.
              It sends every lookup through the tunnel. To send only <code className="font-mono text-xs">*.{zone}</code> there
              (split DNS) with systemd-resolved, delete the DNS line and run after wg-quick up:
            </p>
            <Copyable value={`sudo resolvectl dns ${iface} ${resolver} && sudo resolvectl domain ${iface} '~${zone}'`} label="the split DNS commands" />
          </>
        )}
      </div>
    </details>
  );
}

/** What the user must know about the private key, in plain words: kept in this browser, or in this page only. */
export function KeyNotice({ kept = false }: { kept?: boolean }) {
  if (kept) {
    return (
      <p className="rounded-md bg-indigo-50 p-3 text-sm text-indigo-950 ring-1 ring-indigo-200">
        <strong>The private key stays in this browser.</strong> It was made here and never sent to Meshplane. This browser
        keeps it, so “Update config” here gives a new file with the same key; any other browser would need Regenerate.
        Download the file or scan the code now.
      </p>
    );
  }
  return (
    <p className="rounded-md bg-indigo-50 p-3 text-sm text-indigo-950 ring-1 ring-indigo-200">
      <strong>The private key exists only in this page.</strong> It was made in your browser and never sent to Meshplane.
      Download the file or scan the code now: leaving or reloading this page loses the key, and you would then need
      Regenerate, which makes a new key pair and revokes this one.
    </p>
  );
}
