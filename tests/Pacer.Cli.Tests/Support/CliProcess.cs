using System.Diagnostics;
using System.Text;

namespace Pacer.Cli.Tests.Support;

/// <summary>
/// <c>pacer</c> (or the gateway) as a real process: a clean environment (no ANTHROPIC_ or PACER_ variables but the given
/// ones), a working folder of the test's own, output collected as it comes, and real signals.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private CliProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Fast simulator and engine settings: generous limits, no latency.</summary>
    public static (string, string)[] FastSimulator { get; } =
    [
        ("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "1000"),
        ("ANTHROPIC_CONCURRENT_REQUESTS", "20"),
        ("Simulator__Limits__RequestsPerMinute", "1000"),
        ("Simulator__Limits__InputTokensPerMinute", "10000000"),
        ("Simulator__Limits__OutputTokensPerMinute", "10000000"),
        ("Simulator__Latency__Enabled", "false"),
    ];

    /// <summary>A simulator slow enough to interrupt: each answer takes about a second, four at a time.</summary>
    public static (string, string)[] SlowSimulator { get; } =
    [
        ("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "1000"),
        ("ANTHROPIC_CONCURRENT_REQUESTS", "4"),
        ("Simulator__Limits__RequestsPerMinute", "1000"),
        ("Simulator__Limits__InputTokensPerMinute", "10000000"),
        ("Simulator__Limits__OutputTokensPerMinute", "10000000"),
        ("Simulator__Latency__TimeToFirstTokenMs", "1000"),
        ("Simulator__Latency__TokensPerSecond", "100000"),
        ("Simulator__Latency__Jitter", "0"),
    ];

    public int Id => _process.Id;

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    public static CliProcess StartPacer(string folder, IEnumerable<string> arguments, params (string Name, string Value)[] environment) =>
        Start(folder, "Pacer.Cli.dll", arguments, environment);

    public static CliProcess StartGateway(string folder, params (string Name, string Value)[] environment) =>
        Start(folder, "Pacer.Gateway.dll", [], environment);

    /// <summary>Runs <c>pacer</c> to its end.</summary>
    public static async Task<CliProcess> RunPacerAsync(string folder, IEnumerable<string> arguments, params (string Name, string Value)[] environment)
    {
        var process = StartPacer(folder, arguments, environment);
        await process.WaitForExitAsync();
        return process;
    }

    public async Task WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Bound);

        // The redirected streams end after the process: WaitForExit() without a timeout waits for them.
        _process.WaitForExit();
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds, checking every 50 ms.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Bound)
            {
                throw new TimeoutException("Gave up waiting for " + what);
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(10_000).ShouldBeTrue();
        kill.ExitCode.ShouldBe(0);
    }

    /// <summary>SIGKILL: no handler runs.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static CliProcess Start(string folder, string dll, IEnumerable<string> arguments, (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || k.StartsWith("PACER_", StringComparison.Ordinal)
            || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("Simulator__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new CliProcess(Process.Start(start)!);
    }

    private void Append(StringBuilder into, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            into.AppendLine(line);
        }
    }
}
