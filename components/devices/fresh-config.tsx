'use client';
import { Button } from '@/components/ui/button';
import { ConfigOutput, KeyNotice } from './config-output';

type Props = {
  /** The complete wg-quick text, private key included: it exists only in this page. */
  text: string;
  fileName: string;
  hostCount: number;
  /** What to say about the private key; a device's notice unless told. */
  notice?: React.ReactNode;
  doneSize?: 'sm' | 'md';
  /** Forgets the config, and with it the private key. */
  onDone: () => void;
};

/** A config just made with a fresh key pair: the key notice, the config, then "Done: forget the key". */
export function FreshConfig({ text, fileName, hostCount, notice = <KeyNotice />, doneSize = 'md', onDone }: Props) {
  return (
    <>
      {notice}
      <ConfigOutput text={text} fileName={fileName} hostCount={hostCount} />
      <Button variant="secondary" size={doneSize} onClick={onDone}>Done: forget the key</Button>
    </>
  );
}
