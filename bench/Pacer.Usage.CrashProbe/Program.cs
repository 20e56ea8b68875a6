// Measures what a crash costs the SQLite usage ledger.
//   dotnet run -c Release -- [records-per-second] [seconds-before-crash] [runs]
//   dotnet run -c Release -- throughput [records]   (how fast the background writer commits)
// The parent starts itself as a child that appends numbered records at the given rate; after the given time the
// child prints how many records the ledger had accepted and committed, then kills itself (SIGKILL: no flush, no
// dispose). The parent reopens the file and counts what survived.
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Pacer.Usage;

if (args is ["throughput", var countText])
{
    await MeasureThroughputAsync(int.Parse(countText, CultureInfo.InvariantCulture));
    return;
}

if (args is ["child", var childPath, var rateText, var secondsText])
{
    await RunChildAsync(childPath, int.Parse(rateText, CultureInfo.InvariantCulture), double.Parse(secondsText, CultureInfo.InvariantCulture));
    return;
}

var rate = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
Console.WriteLine($"rate {rate}/s, crash after {seconds} s, {runs} runs");
for (var run = 1; run <= runs; run++)
{
    var folder = Directory.CreateTempSubdirectory("pacer-crash-").FullName;
    var path = Path.Combine(folder, "usage.db");
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var argument in (string[])[typeof(Program).Assembly.Location, "child", path, rate.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture)])
    {
        start.ArgumentList.Add(argument);
    }

    using var child = Process.Start(start)!;
    var output = await child.StandardOutput.ReadToEndAsync();
    await child.WaitForExitAsync();
    var parts = output.Trim().Split(' ');
    var accepted = long.Parse(parts[0], CultureInfo.InvariantCulture);
    var committed = long.Parse(parts[1], CultureInfo.InvariantCulture);

    await using (var ledger = await SqliteUsageLedger.OpenAsync(path))
    {
        var survived = (await ledger.QueryAsync(new UsageQuery())).Total.Requests;
        Console.WriteLine(
            $"run {run}: exit code {child.ExitCode}; accepted {accepted}, committed when the crash began {committed}, in the file after it {survived}: " +
            $"lost {accepted - survived} ({100.0 * (accepted - survived) / accepted:0.00}%, {1000.0 * (accepted - survived) / rate:0} ms of traffic)");
    }

    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static async Task MeasureThroughputAsync(int count)
{
    var folder = Directory.CreateTempSubdirectory("pacer-throughput-").FullName;
    await using (var ledger = await SqliteUsageLedger.OpenAsync(Path.Combine(folder, "usage.db")))
    {
        var clock = Stopwatch.StartNew();
        for (var n = 0; n < count; n++)
        {
            await ledger.AppendAsync(Record(n));
        }

        await ledger.FlushAsync();
        Console.WriteLine($"{count} records committed in {clock.Elapsed.TotalMilliseconds:0} ms: {count / clock.Elapsed.TotalSeconds:0} records/s");
    }

    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static UsageRecord Record(long n) => new()
{
    Time = DateTimeOffset.FromUnixTimeMilliseconds(1_735_689_600_000 + n),
    User = "user-" + (n % 50).ToString(CultureInfo.InvariantCulture),
    Endpoint = "/api/generate-scene",
    Model = "claude-3-5-sonnet-20241022",
    RequestId = "req_" + n.ToString(CultureInfo.InvariantCulture),
    Attempts = 1,
    StatusCode = 200,
    InputTokens = 1500,
    OutputTokens = 800,
    CostUsd = 0.0165m,
    Credits = 2,
};

static async Task RunChildAsync(string path, int rate, double seconds)
{
    var ledger = await SqliteUsageLedger.OpenAsync(path);
    var interval = TimeSpan.FromSeconds(1.0 / rate);
    var started = Stopwatch.StartNew();
    for (long n = 0; ; n++)
    {
        var due = interval * n;
        while (started.Elapsed < due)
        {
            await Task.Yield();
        }

        if (started.Elapsed.TotalSeconds >= seconds)
        {
            var statistics = ledger.Statistics;
            Console.WriteLine($"{statistics.Accepted} {statistics.Written}");
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill(); // SIGKILL: the buffer is never written
        }

        ledger.Append(Record(n));
    }
}
