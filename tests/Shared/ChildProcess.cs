using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pacer.TestSupport;

/// <summary>
/// A .NET server program in a process of its own (<c>dotnet program.dll ...</c>), for the tests and the benchmark
/// harness alike: it works in a temporary folder it deletes when disposed, or in the caller's, which the caller keeps
/// (so that a second process can start on the same files after the first is killed). None of the starter's own
/// <c>ANTHROPIC_*</c>, <c>PACER_*</c> or <c>ASPNETCORE_*</c> variables reach it, only the given environment. Ready
/// once it prints that it is listening on a loopback address (bounded); its output is drained and the last lines
/// kept for error messages. Disposing it kills it.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 200;
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly bool _ownsFolder;
    private readonly ConcurrentQueue<string> _lastLines = new();
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process, string folder, bool ownsFolder)
    {
        _process = process;
        Folder = folder;
        _ownsFolder = ownsFolder;
    }

    /// <summary>Gets the folder the process works in.</summary>
    public string Folder { get; }

    /// <summary>Gets the address the program listens on, ending with a slash.</summary>
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
                ? throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:{Environment.NewLine}{Tail()}")
                : _process.TotalProcessorTime;
        }
    }

    private string Name => Path.GetFileName(_process.StartInfo.ArgumentList[0]);

    /// <summary>Starts <paramref name="assembly"/> in a temporary folder of its own, deleted when disposed.</summary>
    public static Task<ChildProcess> StartAsync(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment) =>
        StartAsync(assembly, arguments, environment, Directory.CreateTempSubdirectory("pacer-child-").FullName, ownsFolder: true);

    /// <summary>Starts <paramref name="assembly"/> working in <paramref name="folder"/>, which the caller owns and keeps unless <paramref name="ownsFolder"/>.</summary>
    public static async Task<ChildProcess> StartAsync(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string folder, bool ownsFolder)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
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

        foreach (var name in start.Environment.Keys.Where(IsInherited).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process, folder, ownsFolder);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child._address.TrySetException(new InvalidOperationException(
            $"{child.Name} exited with code {process.ExitCode} before it listened:{Environment.NewLine}{child.Tail()}"));
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

    /// <summary>The last lines the process printed, for an error or assertion message.</summary>
    public string Tail() => string.Join(Environment.NewLine, _lastLines);

    /// <summary>Kills the process at once (SIGKILL on Linux: no shutdown code runs, nothing buffered is written, as in a crash) and waits until it has gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(ExitBound);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // It was never started.
        }
        finally
        {
            _process.Dispose();
            if (_ownsFolder)
            {
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
    }

    private static bool IsInherited(string name) =>
        name.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || name.StartsWith("PACER_", StringComparison.Ordinal) || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal);

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex LoopbackAddress();

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lastLines.Enqueue(line);
        while (_lastLines.Count > KeptLines)
        {
            _lastLines.TryDequeue(out _);
        }

        if (!_address.Task.IsCompleted && line.Contains("listening on", StringComparison.OrdinalIgnoreCase) && LoopbackAddress().Match(line) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Value + "/"));
        }
    }
}
