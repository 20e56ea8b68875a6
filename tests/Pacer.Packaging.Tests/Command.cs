using System.Diagnostics;
using System.Text;

namespace Pacer.Packaging.Tests;

/// <summary>Runs a real program (dotnet, a script, the published gateway) with a clean environment and a bound.</summary>
internal static class Command
{
    /// <summary>Long enough for a Release build on a busy two-core machine; only a safety net.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(8);

    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, params (string Name, string Value)[] environment)
    {
        var (exitCode, output, description) = await ExecuteAsync(fileName, arguments, workingDirectory, environment);
        return exitCode == 0 ? output : throw new InvalidOperationException($"{description} exited with {exitCode}:\n{output}");
    }

    /// <summary>Runs a program that may fail; returns its exit code and its output (standard output and error).</summary>
    public static async Task<(int ExitCode, string Output)> TryRunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var (exitCode, output, _) = await ExecuteAsync(fileName, arguments, workingDirectory, []);
        return (exitCode, output);
    }

    private static async Task<(int ExitCode, string Output, string Description)> ExecuteAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, (string Name, string Value)[] environment)
    {
        using var process = new Process { StartInfo = StartInfo(fileName, arguments, workingDirectory, environment) };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Describe(process.StartInfo)} did not end within {Bound}:\n{Text(output)}");
        }

        process.WaitForExit(); // the last lines of output
        return (process.ExitCode, Text(output), Describe(process.StartInfo));
    }

    /// <summary>
    /// A start for a child process: output redirected, and none of this process's Pacer, Anthropic, ASP.NET Core or
    /// MSBuild variables (the test host's MSBuild settings would steer a child build).
    /// </summary>
    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, string workingDirectory, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        string[] inherited = ["ANTHROPIC_", "PACER_", "ASPNETCORE_", "MSBUILD", "DOTNET_HOST_PATH"];
        foreach (var name in start.Environment.Keys.Where(k => inherited.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(name);
        }

        // No MSBuild worker nodes left running after a child build.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string Describe(ProcessStartInfo start) => $"'{start.FileName} {string.Join(' ', start.ArgumentList)}'";
}
