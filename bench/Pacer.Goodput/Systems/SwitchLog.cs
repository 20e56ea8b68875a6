using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Pacer.Goodput.Systems;

/// <summary>The limiter's logger in the harness: keeps its warnings (an <c>auto</c> switch) with the time since the probe started.</summary>
internal sealed class SwitchLog : ILogger
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = string.Create(CultureInfo.InvariantCulture, $"+{_clock.Elapsed.TotalSeconds:0.0} s {logLevel}: {formatter(state, exception)}");
        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
