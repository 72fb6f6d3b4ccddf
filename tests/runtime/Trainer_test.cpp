// The training loop: convergence on a model with a known optimum, resume =
// uninterrupted run (params, baselines and trace), thread-count independence,
// NaN/Inf stops with the site and step after writing the last good
// checkpoint, and atomic file replacement under SIGKILL.

#include "FakeModel.h"
#include "TestFiles.h"
#include "svic/runtime/Engine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>

using namespace svic::runtime;
using svic::testing::FakeDescriptor;
using svic::testing::fakeSample;
using svic::testing::readAll;
using svic::testing::ScratchDir;

namespace {

Trainer fakeTrainer(TrainConfig C, double NanStep = -1, double InfStep = -1) {
  return Trainer(Descriptor::parse(FakeDescriptor), fakeSample, {2.0, NanStep, InfStep},
                 std::move(C), {});
}

TrainConfig adam(int64_t Steps, int64_t Samples, double Lr) {
  TrainConfig C;
  C.Steps = Steps;
  C.Samples = Samples;
  C.Seed = 17;
  C.Opt.Lr = Lr;
  return C;
}

TEST(Trainer, ConvergesToTheKnownOptimum) {
  // Optimum of the fake model with x = 2: loc = 1, scale = sqrt(1/2).
  Trainer T = fakeTrainer(adam(3000, 16, 0.005));
  int64_t Calls = 0;
  T.run([&](int64_t Step, double) { EXPECT_EQ(Step, Calls++); });
  EXPECT_EQ(Calls, 3000);
  EXPECT_EQ(T.step(), 3000);
  nlohmann::json P = T.paramsJson();
  EXPECT_NEAR(P["loc"].get<double>(), 1.0, 0.05);
  EXPECT_NEAR(P["scale"].get<double>(), std::sqrt(0.5), 0.05);
  EXPECT_TRUE(std::isfinite(T.lastElbo()));
}

TEST(Trainer, ResumedRunEqualsTheUninterruptedOne) {
  ScratchDir D;
  TrainConfig Full = adam(60, 4, 0.05);
  Full.TracePath = D.path("full.csv");
  Trainer A = fakeTrainer(Full);
  A.run(nullptr);

  // Interrupted after step 24 (the last checkpoint is after step 20, and the
  // trace already has lines for steps 20..24).
  TrainConfig Part = adam(60, 4, 0.05);
  Part.CheckpointPath = D.path("ck.json");
  Part.CheckpointEvery = 10;
  Part.TracePath = D.path("part.csv");
  Trainer B = fakeTrainer(Part);
  struct Interrupt {};
  EXPECT_THROW(B.run([](int64_t Step, double) {
    if (Step == 24)
      throw Interrupt();
  }),
               Interrupt);
  EXPECT_EQ(nlohmann::json::parse(readAll(D.path("ck.json")))["step"], 20);

  TrainConfig Resume = Part;
  Resume.ResumePath = D.path("ck.json");
  Resume.Seed = 999; // the checkpoint's seed wins
  Trainer C = fakeTrainer(Resume);
  C.run(nullptr);
  EXPECT_EQ(C.unconstrained(), A.unconstrained());
  EXPECT_EQ(C.baselines(), A.baselines());
  EXPECT_EQ(C.lastElbo(), A.lastElbo());
  EXPECT_EQ(readAll(D.path("part.csv")), readAll(D.path("full.csv")));
  EXPECT_EQ(nlohmann::json::parse(readAll(D.path("ck.json")))["step"], 60);
}

TEST(Trainer, SameTrajectoryWithOneAndTwoThreads) {
  TrainConfig C1 = adam(30, 600, 0.05), C2 = C1;
  C2.Threads = 2;
  Trainer A = fakeTrainer(C1), B = fakeTrainer(C2);
  A.run(nullptr);
  B.run(nullptr);
  EXPECT_EQ(A.unconstrained(), B.unconstrained());
  EXPECT_EQ(A.lastElbo(), B.lastElbo());
}

TEST(Trainer, NanStopsWithSiteAndStepAfterTheLastGoodCheckpoint) {
  ScratchDir D;
  TrainConfig C = adam(100, 2, 0.05);
  C.CheckpointPath = D.path("ck.json");
  C.CheckpointEvery = 5;
  Trainer T = fakeTrainer(C, /*NanStep=*/7);
  try {
    T.run(nullptr);
    FAIL() << "no NonFiniteError";
  } catch (const NonFiniteError &E) {
    EXPECT_EQ(E.Site, "obs");
    EXPECT_EQ(E.Step, 7);
    std::string Msg = E.what();
    EXPECT_NE(Msg.find("'obs' (model.py:7:5)"), std::string::npos) << Msg;
    EXPECT_NE(Msg.find("step 7"), std::string::npos) << Msg;
  }
  EXPECT_EQ(T.step(), 7);
  nlohmann::json Ck = nlohmann::json::parse(readAll(D.path("ck.json")));
  EXPECT_EQ(Ck["step"], 7);
  EXPECT_EQ(Ck["params"].get<std::vector<double>>(), T.unconstrained());
}

TEST(Trainer, InfiniteGradientNamesTheParam) {
  Trainer T = fakeTrainer(adam(100, 2, 0.05), -1, /*InfStep=*/3);
  try {
    T.run(nullptr);
    FAIL() << "no NonFiniteError";
  } catch (const NonFiniteError &E) {
    EXPECT_EQ(E.Site, "gradient of param 'scale'");
    EXPECT_EQ(E.Step, 3);
  }
}

TEST(Trainer, ResumeRejectsACheckpointOfAnotherProgram) {
  ScratchDir D;
  TrainConfig C = adam(3, 1, 0.05);
  C.CheckpointPath = D.path("ck.json");
  fakeTrainer(C).run(nullptr);
  std::string Other = FakeDescriptor;
  Other.replace(Other.find("\"loc\""), 5, "\"mu\"");
  TrainConfig R = adam(6, 1, 0.05);
  R.ResumePath = D.path("ck.json");
  Trainer T(Descriptor::parse(Other), fakeSample, {2.0, -1, -1}, R, {});
  EXPECT_THROW(T.run(nullptr), RuntimeError);
  R.ResumePath = D.write("garbage.json", "{not json");
  Trainer T2 = fakeTrainer(R);
  EXPECT_THROW(T2.run(nullptr), RuntimeError);
}

TEST(WriteFileAtomically, ReplacesTheFileAndLeavesNoTemporary) {
  ScratchDir D;
  std::string P = D.path("out.json");
  writeFileAtomically(P, "first");
  writeFileAtomically(P, "second");
  EXPECT_EQ(readAll(P), "second");
  int Files = 0;
  for (const auto &E : std::filesystem::directory_iterator(D.dir()))
    Files += E.is_regular_file();
  EXPECT_EQ(Files, 1);
  EXPECT_THROW(writeFileAtomically(D.path("no/such/dir/x"), "x"), RuntimeError);
}

TEST(WriteFileAtomically, KilledWriterLeavesTheOldOrTheNewFile) {
  ScratchDir D;
  std::string P = D.path("ck.json");
  const std::string A(3 << 20, 'a'), B(2 << 20, 'b');
  writeFileAtomically(P, A);
  for (int Round = 0; Round < 3; ++Round) {
    pid_t Child = fork();
    ASSERT_GE(Child, 0);
    if (Child == 0) {
      for (int I = 0;; ++I)
        writeFileAtomically(P, I % 2 ? A : B);
    }
    usleep(30000 + 20000 * Round);
    kill(Child, SIGKILL);
    int Status;
    waitpid(Child, &Status, 0);
    std::string Now = readAll(P);
    EXPECT_TRUE(Now == A || Now == B) << "partial file of " << Now.size() << " bytes";
  }
}

} // namespace
