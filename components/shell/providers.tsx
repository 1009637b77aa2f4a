'use client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useState } from 'react';

// The DNS zone is server configuration (MESHPLANE_DNS_ZONE) that client components quote in
// commands: handed down once by the dashboard layout rather than through every prop.
const DnsZone = createContext('mesh.internal');
export const useDnsZone = () => useContext(DnsZone);

export function Providers({ children, dnsZone }: { children: React.ReactNode; dnsZone: string }) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 2_000, refetchOnWindowFocus: true } } }));
  return (
    <QueryClientProvider client={client}>
      <DnsZone.Provider value={dnsZone}>{children}</DnsZone.Provider>
    </QueryClientProvider>
  );
}
