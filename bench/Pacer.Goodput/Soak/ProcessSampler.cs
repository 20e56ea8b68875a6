using System.Diagnostics;
using System.Globalization;

namespace Pacer.Goodput.Soak;

/// <summary>One look at the gateway process: resident memory, the GC heap after the last collection, threads, open handles.</summary>
internal sealed record ProcessSample(TimeSpan At, long WorkingSetBytes, long? GcHeapBytes, int Threads, int Handles, long Completed);

/// <summary>
/// Samples a process from outside: working set and threads from the operating system (<see cref="Process"/>), open
/// handles from <c>/proc/PID/fd</c> (file descriptors: sockets, files, pipes), and the GC heap from the runtime's
/// <c>dotnet_gc_last_collection_heap_size_bytes</c> gauges on the gateway's <c>/metrics</c>.
/// </summary>
internal sealed class ProcessSampler(int processId, HttpClient metrics)
{
    private const string HeapGauge = "dotnet_gc_last_collection_heap_size_bytes";

    public async Task<ProcessSample> SampleAsync(TimeSpan at, long completed, CancellationToken cancellationToken)
    {
        using var process = Process.GetProcessById(processId);
        process.Refresh();
        var handles = Directory.Exists($"/proc/{processId}/fd")
            ? Directory.EnumerateFileSystemEntries($"/proc/{processId}/fd").Count()
            : process.HandleCount;
        return new ProcessSample(at, process.WorkingSet64, await GcHeapAsync(cancellationToken), process.Threads.Count, handles, completed);
    }

    /// <summary>The sum over generations of the heap size after the last collection, or null when the gauge is not exported.</summary>
    internal static long? ParseGcHeap(string text)
    {
        long? total = null;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(HeapGauge, StringComparison.Ordinal) || line.Length <= HeapGauge.Length || line[HeapGauge.Length] is not ('{' or ' '))
            {
                continue;
            }

            // name{labels} value [timestamp]
            var afterLabels = line.LastIndexOf('}') is var brace and >= 0 ? line[(brace + 1)..] : line[HeapGauge.Length..];
            var value = afterLabels.Trim().Split(' ')[0];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var bytes))
            {
                total = (total ?? 0) + (long)bytes;
            }
        }

        return total;
    }

    private async Task<long?> GcHeapAsync(CancellationToken cancellationToken)
    {
        try
        {
            return ParseGcHeap(await metrics.GetStringAsync(new Uri("metrics", UriKind.Relative), cancellationToken));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
