using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Pacer.Gateway.Tests.Fuzz;

/// <summary>
/// Runs one fuzz property with FsCheck on a fixed seed, so that a failure replays exactly. The fixed-seed slice runs in
/// <c>./test.sh</c>; <c>PACER_FUZZ_ITERATIONS</c> makes every property try that many inputs instead (the long run),
/// <c>PACER_FUZZ_SEED</c> picks another seed. Each property prints how many inputs it tried.
/// </summary>
internal static class FuzzRun
{
    public const string IterationsVariable = "PACER_FUZZ_ITERATIONS";
    public const string SeedVariable = "PACER_FUZZ_SEED";
    public const ulong DefaultSeed = 20261204;

    // Any odd gamma gives a full-period SplitMix stream; this one is the usual golden-ratio constant.
    private const ulong Gamma = 0x9E3779B97F4A7C15;

    public static ulong Seed =>
        ulong.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var seed) ? seed : DefaultSeed;

    public static int Iterations(int slice) =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), out var n) && n > 0 ? n : slice;

    /// <summary>Checks <paramref name="property"/> (which throws when it does not hold) on inputs from <paramref name="inputs"/>; returns how many were tried.</summary>
    public static int Check<T>(string target, Gen<T> inputs, int slice, Action<T> property)
    {
        var tried = 0;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(Iterations(slice))
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed, Gamma), FSharpOption<int>.None)));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var refusals = FuzzAnswer.CountServerRefusals();
        try
        {
            Prop.ForAll(Arb.From(inputs), (T input) =>
            {
                tried++;
                property(input);
            }).Check(config);
        }
        finally
        {
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"fuzz {target}: {tried} inputs tried in {started.Elapsed.TotalSeconds:0.0} s (seed {Seed}; {IterationsVariable} for more)"
                + (refusals.Count > 0 ? $"; {refusals.Count} refused by Kestrel before the gateway, the last {refusals.Last}" : string.Empty));
        }

        return tried;
    }
}
