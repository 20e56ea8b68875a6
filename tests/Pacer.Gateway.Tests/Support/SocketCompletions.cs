using System.Runtime.CompilerServices;

namespace Pacer.Gateway.Tests.Support;

/// <summary>
/// Keeps this test process's socket completions on the thread pool. Gateways started in-process with inline I/O on
/// would otherwise switch the whole process to inline completions (the runtime reads the variable once, at the first
/// socket wait), and then a test that waits synchronously for an HTTP answer (the fuzz properties do) on a socket
/// thread holds every socket of the process, its own answer's included, until a timeout breaks the wait.
/// </summary>
internal static class SocketCompletions
{
    [ModuleInitializer]
    internal static void OnThreadPool() => Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "0");
}
