using System.Diagnostics;
using System.Text.Json;

namespace Pacer.Simulator.Tests.Interop;

/// <summary>
/// Runs a script of tests/interop with node and returns what it printed as JSON, or why it cannot run (node or its
/// packages missing), for the caller to skip with that reason.
/// </summary>
internal static class NodeScript
{
    public static async Task<(JsonElement? Output, string? SkipReason)> RunAsync(string script, params string[] args)
    {
        var folder = InteropFolder();
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@anthropic-ai", "sdk")))
        {
            return (null, $"tests/interop/node_modules is missing: run 'npm ci' in {folder} (test.sh does it).");
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, "node is not installed (test.sh installs it).");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"node {script} did not finish in 120 s. stderr: {await errors}");
            }

            var text = await output;
            process.ExitCode.ShouldBe(0, $"node {script} failed: {await errors}");
            return (JsonDocument.Parse(text).RootElement.Clone(), null);
        }
    }

    private static string InteropFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pacer.slnx")))
            {
                return Path.Combine(dir.FullName, "tests", "interop");
            }
        }

        throw new DirectoryNotFoundException("Cannot find the repository root (Pacer.slnx) above " + AppContext.BaseDirectory);
    }
}
