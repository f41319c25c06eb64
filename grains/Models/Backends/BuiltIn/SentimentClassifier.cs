using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;

namespace Mcp.Cluster.Models.Backends.BuiltIn;

/// <summary>
/// English sentiment: positive, negative or neutral. VADER (<see cref="VaderAnalyzer"/>) reads the opinion words and
/// their modifiers ("not satisfied", "very good", "but", caps, "!"); an ML.NET logistic regression, trained once per
/// process from the sentences shipped in this assembly, weighs VADER's reading together with the sentence's words and
/// word pairs, which carry the reviews' own vocabulary ("waste of money", "returned it") that a general lexicon lacks.
/// A sentence without a single opinion word that the regression cannot call either way is neutral.
/// </summary>
/// <remarks>
/// Training data: our own <c>sentiment-training.tsv</c> and two thirds of the UCI "Sentiment Labelled Sentences"
/// (<c>uci-sentiment-train.tsv</c>); the other third is never trained on and is what the accuracy reported in the
/// README is measured on.
/// </remarks>
public sealed class SentimentClassifier(ILogger<SentimentClassifier> logger)
{
    public const string Positive = "positive";
    public const string Negative = "negative";
    public const string Neutral = "neutral";

    // Without an opinion word, a positive probability within this distance of 0.5 is no opinion either.
    private const double NeutralBand = 0.25;

    private const int FeatureCount = 7;

    private static readonly string[] TrainingResources =
    [
        "Mcp.Cluster.Models.Backends.BuiltIn.sentiment-training.tsv",
        "Mcp.Cluster.Models.Backends.BuiltIn.uci-sentiment-train.tsv",
    ];

    private readonly Lazy<Task<Trained>> _model = new(() => Task.Run(() => Train(logger)));

    public Task WarmUpAsync() => _model.Value;

    public bool IsReady => _model.IsValueCreated && _model.Value.IsCompletedSuccessfully;

    public async Task<IReadOnlyList<SentimentResult>> AnalyzeAsync(IReadOnlyList<string> texts)
    {
        var model = await _model.Value;
        var engine = model.Engines.Get();
        try
        {
            var results = new SentimentResult[texts.Count];
            for (var i = 0; i < texts.Count; i++)
            {
                var vader = model.Vader.Score(texts[i]);
                var prediction = engine.Predict(Row(texts[i], vader));
                results[i] = Decide(Math.Clamp(prediction.Probability, 0f, 1f), vader);
            }
            return results;
        }
        finally
        {
            model.Engines.Return(engine);
        }
    }

    /// <summary>The same answers in the generic classification shape, for a model registered with <c>task: classification</c>.</summary>
    public async Task<IReadOnlyList<ClassificationResult>> ClassifyAsync(IReadOnlyList<string> texts) =>
        (await AnalyzeAsync(texts)).Select(r => new ClassificationResult(r.Sentiment, r.Confidence, r.Scores)).ToArray();

    private static SentimentResult Decide(double positive, VaderScores vader)
    {
        var lean = Math.Abs(positive - 0.5);
        if (vader.LexiconHits == 0 && lean < NeutralBand)
        {
            // The closer to a coin flip, the surer "neutral" is; what is left is shared by the leanings.
            var neutral = 1 - 2 * lean;
            return new SentimentResult(Neutral, neutral, new Dictionary<string, double>
            {
                [Positive] = positive * (1 - neutral),
                [Negative] = (1 - positive) * (1 - neutral),
                [Neutral] = neutral,
            });
        }
        var scores = new Dictionary<string, double> { [Positive] = positive, [Negative] = 1 - positive, [Neutral] = 0 };
        return positive >= 0.5 ? new SentimentResult(Positive, positive, scores) : new SentimentResult(Negative, 1 - positive, scores);
    }

    private static SentimentRow Row(string text, VaderScores vader) => new()
    {
        Text = text,
        Vader =
        [
            (float)vader.Compound, (float)vader.Positive, (float)vader.Negative, vader.LexiconHits == 0 ? 1f : 0f,
            vader.Negated ? 1f : 0f, Math.Min(vader.Exclamations, 3) / 3f, Math.Min(vader.Words, 40) / 40f,
        ],
    };

    private static Trained Train(ILogger logger)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var vader = VaderAnalyzer.Load();
        var rows = ReadTrainingRows(vader);
        var ml = new MLContext(seed: 7);
        var data = ml.Data.LoadFromEnumerable(rows);
        var featurizer = new TextFeaturizingEstimator.Options
        {
            CaseMode = TextNormalizingEstimator.CaseMode.Lower,
            KeepPunctuations = false,
            KeepDiacritics = false,
            WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
            // Character n-grams added noise to sentences without opinion words and cost accuracy.
            CharFeatureExtractor = null,
        };
        var pipeline = ml.Transforms.Text.FeaturizeText("Words", featurizer, nameof(SentimentRow.Text))
            .Append(ml.Transforms.Concatenate("Features", "Words", nameof(SentimentRow.Vader)))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = nameof(SentimentRow.Label),
                FeatureColumnName = "Features",
                L1Regularization = 0f,
                L2Regularization = 0.0005f,
                // A fixed thread count splits the work the same way on every machine, so the trained weights, and every
                // answer, are the same everywhere (one thread takes ten times longer); 100 iterations converge (~0.7 s).
                NumberOfThreads = 2,
                MaximumNumberOfIterations = 100,
            }));
        var transformer = pipeline.Fit(data);
        var engines = new DefaultObjectPool<PredictionEngine<SentimentRow, SentimentPrediction>>(new EnginePolicy(ml, transformer));
        logger.LogInformation("Built-in sentiment model trained on {Rows} sentences in {Elapsed} ms (VADER lexicon: {Words} entries)",
            rows.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("F0"), vader.LexiconSize);
        return new Trained(vader, engines);
    }

    private static List<SentimentRow> ReadTrainingRows(VaderAnalyzer vader)
    {
        var rows = new List<SentimentRow>();
        foreach (var resource in TrainingResources)
        {
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Training data {resource} is missing from the assembly.");
            using var reader = new StreamReader(stream);
            reader.ReadLine(); // header
            while (reader.ReadLine() is { } line)
            {
                var tab = line.IndexOf('\t');
                if (tab > 0)
                {
                    var text = line[(tab + 1)..];
                    var row = Row(text, vader.Score(text));
                    row.Label = line[..tab] == "1";
                    rows.Add(row);
                }
            }
        }
        return rows;
    }

    private sealed record Trained(VaderAnalyzer Vader, ObjectPool<PredictionEngine<SentimentRow, SentimentPrediction>> Engines);

    // Prediction engines are not thread-safe; a pool gives each concurrent caller its own.
    private sealed class EnginePolicy(MLContext ml, ITransformer transformer) : PooledObjectPolicy<PredictionEngine<SentimentRow, SentimentPrediction>>
    {
        public override PredictionEngine<SentimentRow, SentimentPrediction> Create() =>
            ml.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(transformer);

        public override bool Return(PredictionEngine<SentimentRow, SentimentPrediction> obj) => true;
    }

    public sealed class SentimentRow
    {
        public bool Label { get; set; }

        public string Text { get; set; } = "";

        [VectorType(FeatureCount)]
        public float[] Vader { get; set; } = new float[FeatureCount];
    }

    public sealed class SentimentPrediction
    {
        [ColumnName("PredictedLabel")]
        public bool Positive { get; set; }

        public float Probability { get; set; }

        public float Score { get; set; }
    }
}
