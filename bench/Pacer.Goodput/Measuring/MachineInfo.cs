using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Pacer.Goodput.Measuring;

/// <summary>The machine a benchmark ran on, in one line, so that every printed result says where it came from.</summary>
internal static class MachineInfo
{
    public static string Describe()
    {
        var memory = MemoryTotal();
        return string.Create(CultureInfo.InvariantCulture,
            $"Machine: {Environment.ProcessorCount} cores, {memory}, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}; {RuntimeInformation.FrameworkDescription}, server GC {GCSettings.IsServerGC}; started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
    }

    /// <summary>The load average over 1, 5 and 15 minutes, as <c>/proc/loadavg</c> gives it.</summary>
    public static string LoadAverage()
    {
        const string Path = "/proc/loadavg";
        return File.Exists(Path) ? "load average " + string.Join(' ', File.ReadAllText(Path).Split(' ').Take(3)) : "load average unknown";
    }

    private static string MemoryTotal()
    {
        const string Path = "/proc/meminfo";
        if (File.Exists(Path) && File.ReadLines(Path).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line
            && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture, out var kilobytes))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{kilobytes / 1024.0 / 1024.0:0.0} GiB memory");
        }

        return "memory unknown";
    }
}
