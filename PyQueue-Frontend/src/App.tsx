import { QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmProvider } from "./components/ConfirmDialog/ConfirmDialog";
import { Toaster } from "./components/Toaster/Toaster";
import { createQueryClient } from "./hooks/queryClient";
import { Dashboard } from "./pages/Dashboard";

export function App() {
  const [client] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client}>
      <ConfirmProvider>
        <Dashboard />
      </ConfirmProvider>
      <Toaster />
    </QueryClientProvider>
  );
}
