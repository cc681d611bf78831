#!/bin/sh
# Regenerate jacoco.xml: compile src/ with javac (class files for Java 11, which
# Debian's JaCoCo 0.8.6 understands), run Main under the JaCoCo agent from Debian's
# libjacoco-java, and write the XML report with JaCoCo's own report API
# (src/Report.java; the package ships no CLI). native.txt is the bundle's counters as
# JaCoCo itself computed them (INSTRUCTION, BRANCH, LINE, COMPLEXITY, METHOD, CLASS).
#
# Debian's org.jacoco.agent.rt.jar is not the shaded upstream jacocoagent.jar: it has
# no Premain-Class and depends on org.jacoco.core and ASM. So this script writes a
# two-line wrapper agent jar whose manifest names the PreMain class and puts those jars
# on its Class-Path; includes= keeps the agent from instrumenting its own unshaded
# org.jacoco classes (the upstream jar relocates them). <sessioninfo> timestamps in jacoco.xml change on every run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-$here}" && cd "${OUT:-$here}" && pwd)  # OUT=dir: write there instead
J=/usr/share/java
deps="$J/org.jacoco.agent.rt.jar $J/org.jacoco.core.jar $J/asm.jar $J/asm-commons.jar $J/asm-tree.jar"
cp="$J/org.jacoco.core.jar:$J/org.jacoco.report.jar:$J/asm.jar:$J/asm-commons.jar:$J/asm-tree.jar"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/classes" "$tmp/tool"
printf 'Premain-Class: org.jacoco.agent.rt.internal.PreMain\nClass-Path: %s\n' "$deps" \
    > "$tmp/manifest.txt"
jar --create --file "$tmp/agent.jar" --manifest "$tmp/manifest.txt"
javac --release 11 -g -d "$tmp/classes" "$here"/src/com/example/shop/*.java
javac -cp "$cp" -d "$tmp/tool" "$here/src/Report.java"
java -javaagent:"$tmp/agent.jar=destfile=$tmp/jacoco.exec,includes=com.example.*" \
    -cp "$tmp/classes" com.example.shop.Main > /dev/null
java -cp "$cp:$tmp/tool" Report "$tmp/jacoco.exec" "$tmp/classes" "$here/src" \
    "$out/jacoco.xml" > "$out/native.txt"
