'use client';
import { Button } from '@/components/ui/button';
import type { NetworkReach } from '@/lib/core/devices/types';
import { ConfigOutput, KeyNotice } from './config-output';
import { ReachWarnings } from './reach-warnings';

type Props = {
  /** The complete wg-quick text, private key included: it exists only in this page. */
  text: string;
  fileName: string;
  hostCount: number;
  /** What to say about the private key; a device's notice unless told. */
  notice?: React.ReactNode;
  doneSize?: 'sm' | 'md';
  doneLabel?: string;
  /** Forgets the config, and with it the private key. */
  onDone: () => void;
  /** The browser kept the private key (components/devices/key-store.ts). */
  kept?: boolean;
  /** Networks this config reaches nothing in, with what to do. */
  networks?: NetworkReach[];
};

/** A config just made with a fresh key pair: the key notice, the config, then "Done: forget the key". */
export function FreshConfig({ text, fileName, hostCount, notice, doneSize = 'md', doneLabel, onDone, kept = false, networks }: Props) {
  return (
    <>
      {notice ?? <KeyNotice kept={kept} />}
      {networks && <ReachWarnings networks={networks} />}
      <ConfigOutput text={text} fileName={fileName} hostCount={hostCount} keyKept={kept} />
      <Button variant="secondary" size={doneSize} onClick={onDone}>{doneLabel ?? (kept ? 'Done' : 'Done: forget the key')}</Button>
    </>
  );
}
