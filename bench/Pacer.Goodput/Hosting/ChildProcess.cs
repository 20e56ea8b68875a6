using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pacer.Goodput.Hosting;

/// <summary>
/// A .NET program started by the harness (<c>dotnet program.dll ...</c>) in a temporary folder, with only the
/// environment it is given (no ANTHROPIC_* or PACER_* inherited), ready once it prints its loopback address.
/// Its output is drained and the last lines are kept for error messages. Disposing it kills it.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lastLines = new();
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process, string folder)
    {
        _process = process;
        Folder = folder;
    }

    public string Folder { get; }

    public Uri Address => _address.Task.Result;

    /// <summary>Gets the operating system's id of the process, to sample its memory, threads and handles.</summary>
    public int Id => _process.Id;

    /// <summary>Gets the CPU time the process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.HasExited
                ? throw new InvalidOperationException($"{Path.GetFileName(_process.StartInfo.ArgumentList[0])} exited with code {_process.ExitCode}:{Environment.NewLine}{Tail()}")
                : _process.TotalProcessorTime;
        }
    }

    public static async Task<ChildProcess> StartAsync(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var folder = Directory.CreateTempSubdirectory("pacer-bench-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || k.StartsWith("PACER_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process, folder);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child._address.TrySetException(new InvalidOperationException(
            $"{Path.GetFileName(assembly)} exited with code {process.ExitCode}:{Environment.NewLine}{child.Tail()}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await child._address.Task.WaitAsync(StartBound);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }

        return child;
    }

    public string Tail() => string.Join(Environment.NewLine, _lastLines);

    /// <summary>Kills the process at once (SIGKILL on Linux: no shutdown code runs, as in a crash) and waits until it has gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // It was never started or has already gone.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held is left to the temporary folder's cleaner.
            }
        }
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex LoopbackAddress();

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lastLines.Enqueue(line);
        while (_lastLines.Count > 40)
        {
            _lastLines.TryDequeue(out _);
        }

        if (!_address.Task.IsCompleted && line.Contains("listening on", StringComparison.OrdinalIgnoreCase) && LoopbackAddress().Match(line) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Value + "/"));
        }
    }
}
