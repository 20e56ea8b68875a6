using Pacer.Usage;

namespace Pacer.Tests.Usage;

public sealed class PriceBookTests
{
    // The price table of ANTHROPIC_API.md: input, output, cache write 5 min, cache write 1 h, cache read (USD per million).
    public static TheoryData<string, decimal, decimal, decimal, decimal, decimal> PublishedPrices => new()
    {
        { "claude-opus-4-5", 5m, 25m, 6.25m, 10m, 0.50m },
        { "claude-opus-4-5-20251101", 5m, 25m, 6.25m, 10m, 0.50m },
        { "claude-opus-4-6", 5m, 25m, 6.25m, 10m, 0.50m },
        { "claude-opus-4-1", 15m, 75m, 18.75m, 30m, 1.50m },
        { "claude-opus-4-1-20250805", 15m, 75m, 18.75m, 30m, 1.50m },
        { "claude-opus-4-20250514", 15m, 75m, 18.75m, 30m, 1.50m },
        { "claude-opus-4-0", 15m, 75m, 18.75m, 30m, 1.50m },
        { "claude-sonnet-4-5", 3m, 15m, 3.75m, 6m, 0.30m },
        { "claude-sonnet-4-5-20250929", 3m, 15m, 3.75m, 6m, 0.30m },
        { "claude-sonnet-4-20250514", 3m, 15m, 3.75m, 6m, 0.30m },
        { "claude-sonnet-4-0", 3m, 15m, 3.75m, 6m, 0.30m },
        { "claude-3-7-sonnet-20250219", 3m, 15m, 3.75m, 6m, 0.30m },
        { "claude-3-7-sonnet-latest", 3m, 15m, 3.75m, 6m, 0.30m },
        { "claude-3-5-sonnet-20241022", 3m, 15m, 3.75m, 6m, 0.30m },
        { "claude-3-5-sonnet-20240620", 3m, 15m, 3.75m, 6m, 0.30m },
        { "claude-haiku-4-5", 1m, 5m, 1.25m, 2m, 0.10m },
        { "claude-haiku-4-5-20251001", 1m, 5m, 1.25m, 2m, 0.10m },
        { "claude-3-5-haiku-20241022", 0.80m, 4m, 1.00m, 1.60m, 0.08m },
        { "claude-3-5-haiku-latest", 0.80m, 4m, 1.00m, 1.60m, 0.08m },
        { "claude-3-haiku-20240307", 0.25m, 1.25m, 0.30m, 0.50m, 0.03m },
        { "CLAUDE-3-5-SONNET-20241022", 3m, 15m, 3.75m, 6m, 0.30m },
        { "claude-3-5-sonnet@20241022", 3m, 15m, 3.75m, 6m, 0.30m },
    };

    [Theory]
    [MemberData(nameof(PublishedPrices))]
    public void TryGetPrice_PublishedModel_HasPublishedPrices(string model, decimal input, decimal output, decimal write5m, decimal write1h, decimal read)
    {
        PriceBook.Default.TryGetPrice(model, out var price).ShouldBeTrue();

        price.ShouldNotBeNull();
        (price.Input, price.Output, price.CacheWrite5m, price.CacheWrite1h, price.CacheRead).ShouldBe((input, output, write5m, write1h, read));
    }

    [Fact]
    public void Default_EveryFamily_FollowsTheCacheMultipliers()
    {
        PriceBook.Default.Families.Count.ShouldBe(6);
        // Haiku 3 is published with rounded cache prices ($0.30 and $0.03, not 1.25 × $0.25 and 0.1 × $0.25).
        foreach (var family in PriceBook.Default.Families.Where(f => f.Family != "haiku-3"))
        {
            family.CacheWrite5m.ShouldBe(family.Input * 1.25m, family.Family);
            family.CacheWrite1h.ShouldBe(family.Input * 2m, family.Family);
            family.CacheRead.ShouldBe(family.Input * 0.1m, family.Family);
        }

        PriceBook.Default.BatchDiscount.ShouldBe(0.5m);
    }

    [Theory]
    [InlineData("claude-3-opus-20240229")]
    [InlineData("claude-2.1")]
    [InlineData("claude-sonnet-9")]
    [InlineData("gpt-4o")]
    [InlineData("")]
    [InlineData("claude-3-5-sonnet-2024")]
    public void TryGetPrice_UnlistedModel_IsUnknown(string model)
    {
        PriceBook.Default.TryGetPrice(model, out var price).ShouldBeFalse();
        price.ShouldBeNull();
    }

    [Fact]
    public void Load_OperatorFile_OverridesFamilyAddsModelAndKeepsTheRest()
    {
        using var file = new TempFile("""
            {
              "batchDiscount": 0.4,
              "families": [
                { "family": "sonnet", "models": ["claude-sonnet-4-5"], "input": 2, "output": 10, "cacheWrite5m": 2.5, "cacheWrite1h": 4, "cacheRead": 0.2 },
                { "family": "house", "models": ["claude-3-opus", "claude-3-5-sonnet"], "input": 15, "output": 75, "cacheWrite5m": 18.75, "cacheWrite1h": 30, "cacheRead": 1.5 }
              ]
            }
            """);

        var book = PriceBook.Load(file.Path);

        book.Source.ShouldBe($"built-in + {file.Path}");
        book.BatchDiscount.ShouldBe(0.4m);
        book.TryGetPrice("claude-sonnet-4-5-20250929", out var sonnet).ShouldBeTrue();
        sonnet!.Input.ShouldBe(2m);
        book.TryGetPrice("claude-3-opus-20240229", out var opus3).ShouldBeTrue();
        opus3!.Family.ShouldBe("house");
        book.TryGetPrice("claude-3-5-sonnet-20241022", out var moved).ShouldBeTrue();
        moved!.Family.ShouldBe("house");
        // The replaced family lists only what the file lists.
        book.TryGetPrice("claude-3-7-sonnet", out _).ShouldBeFalse();
        book.TryGetPrice("claude-haiku-4-5", out var haiku).ShouldBeTrue();
        haiku!.Output.ShouldBe(5m);
    }

    [Theory]
    [InlineData("{ \"families\": [ { \"family\": \"x\", \"models\": [\"m\"], \"input\": 1, \"output\": 2, \"cacheWrite5m\": 1, \"cacheWrite1h\": 1 } ] }",
        "families[0] (\"x\"): \"cacheRead\" (USD per million tokens) is missing")]
    [InlineData("{ \"families\": [ { \"family\": \"x\", \"models\": [\"m\"], \"input\": \"1\", \"output\": 2, \"cacheWrite5m\": 1, \"cacheWrite1h\": 1, \"cacheRead\": 0 } ] }",
        "families[0] (\"x\"): \"input\" must be a non-negative number of USD per million tokens, got \"1\"")]
    [InlineData("{ \"families\": [ { \"family\": \"x\", \"models\": [\"m\"], \"input\": -1, \"output\": 2, \"cacheWrite5m\": 1, \"cacheWrite1h\": 1, \"cacheRead\": 0 } ] }",
        "\"input\" must be a non-negative number")]
    [InlineData("{ \"families\": [ { \"family\": \"x\", \"models\": [], \"input\": 1, \"output\": 2, \"cacheWrite5m\": 1, \"cacheWrite1h\": 1, \"cacheRead\": 0 } ] }",
        "families[0] (\"x\"): \"models\" must be a non-empty array")]
    [InlineData("{ \"families\": [ { \"family\": \"x\", \"models\": [\"m\"], \"inptu\": 1 } ] }",
        "families[0] (\"x\"): unknown field \"inptu\"")]
    [InlineData("{ \"families\": [ { \"models\": [\"m\"] } ] }", "families[0] needs a \"family\" name")]
    [InlineData("{ \"families\": { } }", "\"families\" must be an array")]
    [InlineData("{ \"families\": [ ], \"batchDiscount\": 2 }", "\"batchDiscount\" must be a number from 0 to 1, got 2")]
    [InlineData("{ \"families\": [ ", "is not valid JSON (line 1")]
    public void Load_BadEntry_ErrorNamesFileAndEntry(string json, string expected)
    {
        using var file = new TempFile(json);

        var error = Should.Throw<PriceBookException>(() => PriceBook.Load(file.Path));

        error.Message.ShouldStartWith($"Price book '{file.Path}': ");
        error.Message.ShouldContain(expected);
        error.Source.ShouldBe(file.Path);
    }

    [Fact]
    public void Load_ModelInTwoFamilies_IsAnError()
    {
        using var file = new TempFile("""
            { "families": [
              { "family": "a", "models": ["m"], "input": 1, "output": 1, "cacheWrite5m": 1, "cacheWrite1h": 1, "cacheRead": 1 },
              { "family": "b", "models": ["m-20250101"], "input": 1, "output": 1, "cacheWrite5m": 1, "cacheWrite1h": 1, "cacheRead": 1 } ] }
            """);

        Should.Throw<PriceBookException>(() => PriceBook.Load(file.Path)).Message.ShouldContain("model \"m\" is listed by both \"a\" and \"b\"");
    }

    [Fact]
    public void Load_MissingFile_ErrorNamesFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pacer-missing-{Guid.NewGuid():N}.json");

        Should.Throw<PriceBookException>(() => PriceBook.Load(path)).Message.ShouldStartWith($"Price book '{path}': cannot be read");
    }
}
